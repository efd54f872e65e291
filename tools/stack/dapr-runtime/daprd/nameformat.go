package main

// The nameformat resolver ships in the allcomponents set only. Registering it
// here lets the project's Configuration (resources/config.yaml) replace mDNS,
// which listens and multicasts on every interface, with a resolver that does
// no networking at all.
import (
	"github.com/dapr/components-contrib/nameresolution/nameformat"
	nrLoader "github.com/dapr/dapr/pkg/components/nameresolution"
)

func init() {
	nrLoader.DefaultRegistry.RegisterComponent(nameformat.NewResolver, "nameformat")
}
