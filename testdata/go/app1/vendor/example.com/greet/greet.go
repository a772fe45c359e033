package greet

import "example.com/indirectdep"

func Hello() string { return "hello " + indirectdep.Word() }
