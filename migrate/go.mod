module github.com/normkit/norm/migrate

go 1.25
