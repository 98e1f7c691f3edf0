// Command pulumi-language-go is chalk-policy's own Go language host for the Pulumi engine, for SDK generation only.
//
// Why our own: the Go module proxy refuses the official host's module (github.com/pulumi/pulumi/sdk/go/
// pulumi-language-go/v3, 403 at every version). The CLI hands `pulumi package gen-sdk --language go` (and the Go
// half of `pulumi package add`) to this host's GeneratePackage, which runs pkg/v3/codegen/go, the official host's
// generator. The generated SDK has no go.mod unless the schema asks for one (supportPack); give it one yourself,
// requiring github.com/pulumi/pulumi/sdk/v3.
//
// Not implemented: everything else. It cannot run Go programs or Go plugins (Run, RunPlugin, GetRequiredPackages,
// InstallDependencies, ...), nor link, pack or generate programs; those RPCs fail with an error that says so.
package main

import (
	"context"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"

	"chalk-policy/engine/internal/langhostkit"
)

var goHost = langhostkit.Host{
	Name: "pulumi-language-go",
	Limits: "this is chalk-policy's own Go host (engine/langhost-go), for SDK generation only (`pulumi package " +
		"gen-sdk --language go`): it cannot run Go programs or plugins.",
}

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
}

func main() {
	langhostkit.Main(goHost, func(string) pulumirpc.LanguageRuntimeServer { return host{} })
}

func (host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (host) Handshake(
	context.Context, *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (host) GeneratePackage(
	ctx context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	return langhostkit.GeneratePackage(req, func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest,
		_ schema.ReferenceLoader,
	) (map[string][]byte, error) {
		return gogen.GeneratePackage(goHost.Name, pkg, req.GetLocalDependencies())
	})
}
