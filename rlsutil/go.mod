module github.com/normkit/norm/rlsutil

go 1.25
