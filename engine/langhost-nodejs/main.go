// Command pulumi-language-nodejs is chalk-policy's own, minimal Node.js language host for the Pulumi engine.
//
// Why our own: the Go module proxy refuses the official host's module (github.com/pulumi/pulumi/sdk/nodejs/cmd/
// pulumi-language-nodejs/v3, 403 at every version), and sdk/v3's module zip ships sdk/nodejs without that command.
// What the official host does around the program is mostly in the npm package @pulumi/pulumi, which this host calls:
//   - Run: `node [nodeargs] <@pulumi/pulumi/cmd/run> --monitor=... --engine=... --project=... --stack=... --pwd=...
//     --root-directory=... [--dry-run] --parallel=N PROGRAM ARGS` with PULUMI_CONFIG, PULUMI_CONFIG_SECRET_KEYS,
//     PULUMI_NODEJS_TYPESCRIPT (runtime option `typescript`, default true) and PULUMI_NODEJS_TSCONFIG_PATH (option
//     `tsconfig`); @pulumi/pulumi is resolved from the program's directory, so its own installed version runs it.
//     Exit code 32 means the program already reported its error (Bail).
//   - RunPlugin (a Node.js component provider): `node <@pulumi/pulumi/cmd/run-plugin> PLUGIN_DIR ARGS`.
//   - InstallDependencies (`pulumi install`) and Link (`pulumi package add`): sdk/v3/nodejs/npm, the official host's
//     own package-manager code (npm, yarn, pnpm or bun, option `packagemanager`).
//   - GeneratePackage (`pulumi package gen-sdk --language nodejs`): pkg/v3/codegen/nodejs.
//   - GetProgramDependencies (`pulumi about`): the package manager's list.
//
// Not implemented: GetRequiredPackages answers "none" (the engine then loads each provider when the program first
// uses it; the official host lists them up front so they can be downloaded, and nothing is downloaded here);
// synchronous invokes (--sync), policy packs in TypeScript, Pack, GenerateProject/GenerateProgram, Template and
// debugger attachment. Those RPCs fail with an error naming this host.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	nodegen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	"github.com/pulumi/pulumi/sdk/v3/nodejs/npm"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"

	"chalk-policy/engine/internal/langhostkit"
)

var nodejsHost = langhostkit.Host{
	Name: "pulumi-language-nodejs",
	Limits: "this is chalk-policy's own minimal Node.js host (engine/langhost-nodejs): it runs programs and " +
		"component providers, installs and links packages and generates TypeScript SDKs, nothing else.",
}

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
}

func main() {
	langhostkit.Main(nodejsHost, func(engineAddress string) pulumirpc.LanguageRuntimeServer {
		return &host{engineAddress: engineAddress}
	})
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *host) Handshake(
	ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// GetRequiredPackages reports none, see the command's comment.
func (h *host) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *host) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

// option is a `runtime.options` entry of the program's Pulumi.yaml (or the plugin's PulumiPlugin.yaml).
func option(info *pulumirpc.ProgramInfo, key string) (any, bool) {
	v, ok := info.GetOptions().AsMap()[key]
	return v, ok
}

// boolOption reads a boolean option, written either as a YAML boolean or as the string "true"/"false".
func boolOption(info *pulumirpc.ProgramInfo, key string, fallback bool) (bool, error) {
	v, ok := option(info, key)
	if !ok {
		return fallback, nil
	}
	switch v := v.(type) {
	case bool:
		return v, nil
	case string:
		if b, err := strconv.ParseBool(v); err == nil {
			return b, nil
		}
	}
	return false, fmt.Errorf("runtime option '%s' must be true or false, not %v", key, v)
}

func packageManager(info *pulumirpc.ProgramInfo) npm.PackageManagerType {
	if v, ok := option(info, "packagemanager"); ok {
		if s, ok := v.(string); ok && s != "" {
			return npm.PackageManagerType(s)
		}
	}
	return npm.AutoPackageManager
}

// resolve finds module the way Node does from dir, so the program's own @pulumi/pulumi runs it.
func resolve(ctx context.Context, dir, module string) (string, error) {
	if _, err := exec.LookPath("node"); err != nil {
		return "", errors.New("node is not on PATH: install Node.js (20 or later) to run Node.js programs")
	}
	cmd := exec.CommandContext(ctx, "node", "-e",
		"console.log(require.resolve(process.argv[1], {paths: [process.argv[2]]}))", module, dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("cannot find %s from %s: add @pulumi/pulumi to the dependencies in package.json and "+
			"run `npm install` (or `pulumi install`) there (%v: %s)", module, dir, err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// nodeEnv is the environment @pulumi/pulumi's cmd/run and cmd/run-plugin read their TypeScript settings from.
func nodeEnv(info *pulumirpc.ProgramInfo) ([]string, error) {
	typescript, err := boolOption(info, "typescript", true)
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(), "PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(typescript))
	if v, ok := option(info, "tsconfig"); ok {
		env = append(env, fmt.Sprintf("PULUMI_NODEJS_TSCONFIG_PATH=%v", v))
	}
	return env, nil
}

func nodeArgs(info *pulumirpc.ProgramInfo) []string {
	if v, ok := option(info, "nodeargs"); ok {
		return strings.Fields(fmt.Sprint(v))
	}
	return nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	runPath, err := resolve(ctx, info.GetProgramDirectory(), "@pulumi/pulumi/cmd/run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	args := append(nodeArgs(info), runPath)
	add := func(flag, value string) {
		if value != "" {
			args = append(args, "--"+flag+"="+value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engineAddress)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	add("root-directory", info.GetRootDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = "." // Node loads the package.json's "main" (or index.js / index.ts)
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	env, err := nodeEnv(info)
	if err != nil {
		return nil, err
	}
	// No config at all: PULUMI_CONFIG is left unset, as the official host does.
	if req.GetConfig() != nil {
		config, err := json.Marshal(req.GetConfig())
		if err != nil {
			return nil, fmt.Errorf("serializing the stack configuration: %w", err)
		}
		env = append(env, "PULUMI_CONFIG="+string(config))
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secrets, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("serializing the secret configuration keys: %w", err)
	}
	env = append(env, "PULUMI_CONFIG_SECRET_KEYS="+string(secrets))

	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Dir = req.GetPwd()
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return langhostkit.RunResult(cmd.Run(), "node"), nil
}

// RunPlugin starts a Node.js component provider (PulumiPlugin.yaml with `runtime: nodejs`).
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	ctx := server.Context()
	info := req.GetInfo()
	if req.GetKind() == "analyzer" {
		return fmt.Errorf("%s cannot start TypeScript policy packs: write the pack in Python (as chalk-media is)",
			nodejsHost.Name)
	}
	dir := info.GetProgramDirectory()
	runPath, err := resolve(ctx, dir, "@pulumi/pulumi/cmd/run-plugin")
	if err != nil {
		return err
	}
	env, err := nodeEnv(info)
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()
	cmd := exec.CommandContext(ctx, "node", append(append(nodeArgs(info), runPath, dir), req.GetArgs()...)...)
	cmd.Dir = req.GetPwd()
	cmd.Env = append(env, req.GetEnv()...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("could not start the Node.js plugin in %s: %w", dir, err)
	}
	return langhostkit.PluginExit(server, cmd.Wait(), closer)
}

// InstallDependencies runs the project's package manager's install (`npm install`, ...) in the program directory.
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	info := req.GetInfo()
	name, err := npm.Install(server.Context(), packageManager(info), info.GetProgramDirectory(), false, stdout, stderr)
	if err != nil {
		return fmt.Errorf("%s install in %s failed: %w", name, info.GetProgramDirectory(), err)
	}
	return closer.Close()
}

func (h *host) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	pm, err := npm.ResolvePackageManager(packageManager(req.GetInfo()), dir)
	if err != nil {
		return nil, err
	}
	deps, err := pm.ListPackages(ctx, dir, req.GetTransitiveDependencies())
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for _, d := range deps {
		resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: d.Name, Version: d.Version})
	}
	return resp, nil
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	path, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("node is not on PATH: install Node.js (20 or later)")
	}
	out, err := exec.CommandContext(ctx, path, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --version: %w", path, err)
	}
	return &pulumirpc.AboutResponse{Executable: path, Version: strings.TrimPrefix(strings.TrimSpace(string(out)), "v")},
		nil
}

func (h *host) GeneratePackage(
	ctx context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	return langhostkit.GeneratePackage(req, func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest,
		loader schema.ReferenceLoader,
	) (map[string][]byte, error) {
		return nodegen.GeneratePackage(nodejsHost.Name, pkg, req.GetExtraFiles(), req.GetLocalDependencies(),
			req.GetLocal(), loader)
	})
}

// Link adds generated local SDKs to the program's package.json as the official host does (sdk/v3/nodejs/npm:
// `npm pkg set dependencies.@pulumi/NAME=file:PATH`, plus `allowScripts` for the SDK's postinstall build); run
// `npm install` afterwards. The npm name is always @pulumi/<package> (package namespaces are not supported).
func (h *host) Link(ctx context.Context, req *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	pm, err := npm.ResolvePackageManager(packageManager(req.GetInfo()), dir)
	if err != nil {
		return nil, err
	}
	var imports strings.Builder
	for _, dep := range req.GetPackages() {
		name := dep.GetPackage().GetName()
		if err := pm.Link(ctx, dir, "@pulumi/"+name, dep.GetPath()); err != nil {
			return nil, fmt.Errorf("linking @pulumi/%s (%s) into %s: %w", name, dep.GetPath(), dir, err)
		}
		fmt.Fprintf(&imports, "  import * as %s from \"@pulumi/%s\";\n", strings.ReplaceAll(name, "-", "_"), name)
	}
	return &pulumirpc.LinkResponse{
		ImportInstructions: "You can import the SDK in your TypeScript code with:\n\n" + imports.String(),
	}, nil
}
