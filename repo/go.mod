module github.com/normkit/norm/repo

go 1.25
