module github.com/urpc-go/urpc

go 1.26
