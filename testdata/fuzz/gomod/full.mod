// a comment line
module "example.com/top" // quoted

go 1.21
toolchain go1.21.3

require example.com/single v1.0.0
require (
	github.com/a/b v1.2.3 // indirect
	github.com/c/d v0.0.0-20230102150405-abcdef123456
	`example.com/raw` v2.0.0+incompatible // indirect; comment
	example.com/old v1.0.0
	example.com/anyver v1.1.0
	example.com/dir v0.0.0-00010101000000-000000000000
	example.com/excluded v0.5.0
)

replace example.com/old v1.0.0 => example.com/new v1.4.0
replace (
	example.com/anyver => example.com/fork v1.1.1
	example.com/dir => ../dir // local
)
exclude example.com/excluded v0.5.0
retract v0.9.0
godebug default=go1.21

--go.sum--
github.com/a/b v1.2.3 h1:AAAA=
github.com/a/b v1.2.3/go.mod h1:GOMOD=
example.com/new v1.4.0 h1:NEW=
example.com/old v1.0.0 h1:OLD=
example.com/unlisted v9.9.9 h1:X=
