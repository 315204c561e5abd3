module github.com/normkit/norm/repo

go 1.25.0

require (
	github.com/jackc/pgx/v5 v5.12.0
	github.com/normkit/norm/internal/redact v0.1.0
	github.com/normkit/norm/sqlb v0.1.0
)

require github.com/normkit/norm/internal v0.1.0 // indirect

require (
	github.com/Masterminds/squirrel v1.5.4 // indirect
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/puddle/v2 v2.2.3 // indirect
	github.com/lann/builder v0.0.0-20180802200727-47ae307949d0 // indirect
	github.com/lann/ps v0.0.0-20150810152359-62de8c46ede0 // indirect
	golang.org/x/sync v0.22.0 // indirect
	golang.org/x/text v0.41.0 // indirect
)
