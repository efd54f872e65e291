// Builds the Dapr placement binary from the github.com/dapr/dapr module, for machines
// where `dapr init` cannot download it (see tools/stack/dapr-install.mjs).
package main

import "github.com/dapr/dapr/cmd/placement/app"

func main() { app.Run() }
