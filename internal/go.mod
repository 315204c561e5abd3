module github.com/normkit/norm/internal

go 1.23
