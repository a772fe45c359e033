// app1: a tiny program whose dependencies are vendored local modules,
// used to test sigil's Go build-info reader against `go version -m`.
package main

import (
	"fmt"

	"example.com/greet"
	"example.com/local"
	"example.com/old"
	"example.com/pseudo"
)

var version = "dev"

func main() {
	fmt.Println(greet.Hello(), local.Name(), old.Name(), pseudo.Name(), version)
}
