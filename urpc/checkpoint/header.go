package checkpoint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"unicode/utf8"
)

// entry is one tensor's description in the header.
type entry struct {
	name       string
	dtype      string
	shape      []int
	begin, end uint64 // data_offsets, relative to the data section
}

// member is one name and its raw JSON value in a JSON object.
type member struct {
	name  string
	value json.RawMessage
}

// parseHeader decodes the JSON header: the tensor entries in header order and the
// metadata. It returns a problem description instead of an error value so the caller
// can name the file.
func parseHeader(header []byte) ([]entry, map[string]string, string) {
	if !utf8.Valid(header) {
		return nil, nil, "not valid UTF-8"
	}
	if len(header) == 0 || header[0] != '{' {
		return nil, nil, "does not start with '{'"
	}
	members, problem := objectMembers(header)
	if problem != "" {
		return nil, nil, problem
	}

	metadata := map[string]string{}
	var entries []entry
	for _, m := range members {
		if m.name == metadataKey {
			if metadata, problem = parseMetadata(m.value); problem != "" {
				return nil, nil, metadataKey + ": " + problem
			}
			continue
		}
		if m.name == "" {
			return nil, nil, "a tensor has an empty name"
		}
		e, problem := parseEntry(m)
		if problem != "" {
			return nil, nil, fmt.Sprintf("tensor %q: %s", m.name, problem)
		}
		entries = append(entries, e)
	}
	return entries, metadata, ""
}

// objectMembers splits the JSON object in data into its members, in order. Anything
// but whitespace after the object, or a name used twice, is a problem.
func objectMembers(data []byte) ([]member, string) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, "not a JSON object"
	}

	var members []member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, "invalid JSON: " + err.Error()
		}
		name := tok.(string) // inside an object, the decoder yields only string names
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, fmt.Sprintf("invalid JSON at %q: %v", name, err)
		}
		if seen[name] {
			return nil, fmt.Sprintf("name %q appears twice", name)
		}
		seen[name] = true
		members = append(members, member{name, value})
	}

	if _, err := dec.Token(); err != nil {
		return nil, "invalid JSON: " + err.Error()
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, "more than one JSON value"
	}
	return members, ""
}

// parseMetadata decodes the __metadata__ object, whose values must all be strings.
func parseMetadata(value json.RawMessage) (map[string]string, string) {
	if !isObject(value) {
		return nil, "not a JSON object"
	}
	members, problem := objectMembers(value)
	if problem != "" {
		return nil, problem
	}
	metadata := make(map[string]string, len(members))
	for _, m := range members {
		var s string
		if err := json.Unmarshal(m.value, &s); err != nil || isNull(m.value) {
			return nil, fmt.Sprintf("value of %q is not a string", m.name)
		}
		metadata[m.name] = s
	}
	return metadata, ""
}

// parseEntry decodes {"dtype": ..., "shape": [...], "data_offsets": [begin, end]}:
// all three fields, no others, names matched exactly.
func parseEntry(m member) (entry, string) {
	e := entry{name: m.name}
	if !isObject(m.value) {
		return e, "not a JSON object"
	}
	fields, problem := objectMembers(m.value)
	if problem != "" {
		return e, problem
	}

	var shape []int64
	var offsets []uint64
	found := map[string]bool{}
	for _, f := range fields {
		var err error
		switch f.name {
		case "dtype":
			err = json.Unmarshal(f.value, &e.dtype)
		case "shape":
			err = json.Unmarshal(f.value, &shape)
		case "data_offsets":
			err = json.Unmarshal(f.value, &offsets)
		default:
			return e, fmt.Sprintf("unknown field %q", f.name)
		}
		if err != nil || isNull(f.value) {
			return e, fmt.Sprintf("field %q: invalid value %s", f.name, f.value)
		}
		found[f.name] = true
	}
	for _, name := range []string{"dtype", "shape", "data_offsets"} {
		if !found[name] {
			return e, fmt.Sprintf("field %q is missing", name)
		}
	}

	if len(offsets) != 2 {
		return e, fmt.Sprintf("data_offsets %v are not [begin, end]", offsets)
	}
	e.begin, e.end = offsets[0], offsets[1]
	for _, d := range shape {
		if d < 0 || d > math.MaxInt {
			return e, fmt.Sprintf("shape %v has a negative dimension", shape)
		}
		e.shape = append(e.shape, int(d))
	}
	if e.shape == nil {
		e.shape = []int{}
	}
	return e, ""
}

// isObject reports whether the JSON value v is an object.
func isObject(v json.RawMessage) bool {
	v = bytes.TrimLeft(v, " \t\r\n")
	return len(v) > 0 && v[0] == '{'
}

// isNull reports whether the JSON value v is null, which json.Unmarshal accepts for
// any type.
func isNull(v json.RawMessage) bool {
	return string(bytes.TrimSpace(v)) == "null"
}
