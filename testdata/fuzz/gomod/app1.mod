module example.com/app1

go 1.19

require (
	example.com/greet v1.2.3
	example.com/local v0.0.0-00010101000000-000000000000
	example.com/old v1.0.0
	example.com/pseudo v0.0.0-20230102150405-abcdef123456
)

require example.com/indirectdep v0.1.0 // indirect

replace example.com/old v1.0.0 => example.com/newer v1.4.0

replace example.com/local => ./local
