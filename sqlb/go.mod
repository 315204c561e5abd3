module github.com/normkit/norm/sqlb

go 1.23
