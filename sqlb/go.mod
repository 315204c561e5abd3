module github.com/normkit/norm/sqlb

go 1.23

require (
	github.com/Masterminds/squirrel v1.5.4
	github.com/normkit/norm/internal v0.1.0
)

require (
	github.com/lann/builder v0.0.0-20180802200727-47ae307949d0 // indirect
	github.com/lann/ps v0.0.0-20150810152359-62de8c46ede0 // indirect
)
