//go:build tools

// Package tools pins Docker Compose v2 so `make tools` can build it from the Go module proxy:
// the offline compose check runs the real parser without a container engine.
package tools

import _ "github.com/docker/compose/v2/cmd"
