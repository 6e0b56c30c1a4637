// Command govapp is the govapp platform server and developer CLI; see package
// devcli.
package main

import (
	"context"
	"os"

	"github.com/govapp/govapp/devcli"
)

func main() { os.Exit(devcli.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
