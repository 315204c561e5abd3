module github.com/normkit/norm/observe

go 1.25
