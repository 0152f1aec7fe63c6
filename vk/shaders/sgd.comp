#version 450
// One SGD step with momentum and L2 weight decay (torch.optim.SGD), in place:
//   d = grad + weightDecay*theta; buf = momentum*buf + d (buf = d on the first step);
//   theta -= lr*buf.
layout(local_size_x = 256) in;

layout(std430, set = 0, binding = 0) buffer Theta { float theta[]; };
layout(std430, set = 0, binding = 1) readonly buffer Grad { float grad[]; };
layout(std430, set = 0, binding = 2) buffer Buf { float buf[]; };

layout(push_constant) uniform Push {
	uint n;
	float lr, momentum, weightDecay;
	uint first;
	uint to, go, bo;
} p;

void main() {
	uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 256;
	if (i >= p.n) {
		return;
	}
	precise float d = grad[p.go + i] + p.weightDecay * theta[p.to + i];
	precise float m = p.first != 0 ? d : p.momentum * buf[p.bo + i] + d;
	buf[p.bo + i] = m;
	theta[p.to + i] = theta[p.to + i] - p.lr * m;
}
