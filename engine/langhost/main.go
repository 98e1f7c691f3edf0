// Command pulumi-language-python is chalk-policy's own Python language host for the Pulumi engine.
//
// Why our own: the Go module proxy reachable from our machines serves github.com/pulumi/pulumi/pkg/v3 and sdk/v3
// (so the CLI builds from source), but refuses every version of the language host module
// github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3 (403 "not available"). This host implements
// the LanguageRuntime gRPC service (sdk/proto/pulumi/language.proto) on the same SDK packages the official host is
// built from: python/toolchain resolves and validates the virtualenv named by `runtime.options` (`virtualenv`,
// `toolchain`), sdk.PolicyProxy starts Python policy packs exactly as the CLI expects, rpcutil serves and streams.
// The behaviour it must match is that of the official host's main.go (pulumi/pulumi, sdk/python/cmd/
// pulumi-language-python): Run starts `python -u pulumi-language-python-exec --monitor ... PROGRAM` with PULUMI_CONFIG
// and PULUMI_CONFIG_SECRET_KEYS set, exit code 32 means "the program already showed the error" (Bail); RunPlugin with
// kind "analyzer" starts `python -u -m pulumi.policy ARGS PACK_DIR` in the pack directory, any other kind (a Python
// component provider, PulumiPlugin.yaml) `python PLUGIN_DIR ARGS`.
//
// Deliberate differences: InstallDependencies never re-creates or upgrades a virtualenv that already exists (see
// install.go), and the `-OPTION=VALUE` flags older engines pass are accepted and ignored (internal/langhostkit).
//
// Not implemented (Unimplemented errors that say so): code generation (GenerateProject/Program/Package, Pack, Link,
// Template) and debugger attachment; the engine needs none of them for preview, up, refresh, destroy, policy packs or
// `pulumi package get-schema` on a Python component provider.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/protobuf/types/known/emptypb"

	"chalk-policy/engine/internal/langhostkit"
)

const (
	execShim     = "pulumi-language-python-exec"
	analyzerKind = "analyzer"
)

var pythonHost = langhostkit.Host{
	Name: "pulumi-language-python",
	Limits: "this is chalk-policy's own Python host (engine/langhost): it runs Python programs, component " +
		"providers and policy packs, and generates no code (SDKs, programs, projects).",
}

func main() {
	langhostkit.Main(pythonHost, func(engineAddress string) pulumirpc.LanguageRuntimeServer {
		self, err := os.Executable()
		if err != nil {
			cmdutil.Exit(fmt.Errorf("locating the language host: %w", err))
		}
		shim := filepath.Join(filepath.Dir(self), execShim)
		if _, err := os.Stat(shim); err != nil {
			cmdutil.Exit(fmt.Errorf("missing executor %s next to the language host (scripts/pulumi-engine puts it "+
				"there; run it again): %w", shim, err))
		}
		host := &languageHost{shim: shim, engineAddress: engineAddress}
		host.cancelCtx, host.cancel = context.WithCancel(context.Background())
		return host
	})
}

type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	shim          string
	engineAddress string
	cancelCtx     context.Context
	cancel        context.CancelFunc
}

// pythonOptions reads `runtime.options` the way the official host does; plugins (not policy packs) default to ./venv.
func pythonOptions(info *pulumirpc.ProgramInfo, isPlugin bool) (toolchain.PythonOptions, error) {
	opts := toolchain.PythonOptions{Root: info.GetRootDirectory(), ProgramDir: info.GetProgramDirectory()}
	options := info.GetOptions().AsMap()
	if v, ok := options["virtualenv"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("runtime option 'virtualenv' must be a string")
		}
		opts.Virtualenv = s
	}
	if v, ok := options["toolchain"]; ok {
		switch v {
		case "pip":
			opts.Toolchain = toolchain.Pip
		case "uv":
			opts.Toolchain = toolchain.Uv
		case "poetry":
			opts.Toolchain = toolchain.Poetry
		default:
			return opts, fmt.Errorf("runtime option 'toolchain' must be pip, uv or poetry, not %v", v)
		}
	}
	if v, ok := options["typechecker"]; ok && v != "" {
		return opts, fmt.Errorf("runtime option 'typechecker' (%v) is not supported by this language host", v)
	}
	if isPlugin && opts.Virtualenv == "" && (opts.Toolchain == toolchain.Pip || opts.Toolchain == toolchain.Auto) {
		opts.Virtualenv = "venv"
	}
	return opts, nil
}

// resolveToolchain is the pip, uv or poetry toolchain of the program's (or plugin's) `runtime.options`.
func resolveToolchain(info *pulumirpc.ProgramInfo, isPlugin bool) (toolchain.Toolchain, error) {
	opts, err := pythonOptions(info, isPlugin)
	if err != nil {
		return nil, err
	}
	return toolchain.ResolveToolchain(opts)
}

func (h *languageHost) Handshake(
	ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// GetRequiredPackages reports no packages: the engine then loads each provider when the program first registers a
// resource of it, at the version the SDK sends (pulumi_aws's pulumi-plugin.json). The official host lists them up
// front so that missing plugins can be downloaded; nothing can be downloaded here.
func (h *languageHost) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *languageHost) GetRequiredPlugins(
	ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	tc, err := resolveToolchain(req.GetInfo(), false)
	if err != nil {
		return nil, err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}
	args := []string{"-u", h.shim}
	add := func(flag, value string) {
		if value != "" {
			args = append(args, "--"+flag, value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engineAddress)
	add("project", req.GetProject())
	add("root_directory", req.GetInfo().GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	add("dry_run", strconv.FormatBool(req.GetDryRun()))
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("organization", req.GetOrganization())
	entry := req.GetInfo().GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	// No config at all: PULUMI_CONFIG is left unset (JSON "null" would break the SDK), as the official host does.
	var config []byte
	if req.GetConfig() != nil {
		if config, err = json.Marshal(req.GetConfig()); err != nil {
			return nil, fmt.Errorf("serializing the stack configuration: %w", err)
		}
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secrets, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("serializing the secret configuration keys: %w", err)
	}

	runCtx, runCancel := context.WithCancel(h.cancelCtx)
	defer runCancel()
	context.AfterFunc(ctx, runCancel)
	cmd, err := tc.Command(runCtx, args...)
	if err != nil {
		return nil, err
	}
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	if config != nil {
		env = append(env, "PULUMI_CONFIG="+string(config))
	}
	cmd.Env = append(env, "PULUMI_CONFIG_SECRET_KEYS="+string(secrets))

	err = cmd.Run()
	_ = os.Stdout.Sync()
	_ = os.Stderr.Sync()
	return langhostkit.RunResult(err, "the Python executor"), nil
}

// RunPlugin starts a Python plugin; for a policy pack (kind "analyzer") `python -u -m pulumi.policy ARGS PACK_DIR`
// behind sdk.PolicyProxy, which answers the engine's handshake and hands the stack's configuration to the pack.
func (h *languageHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	ctx := server.Context()
	isAnalyzer := req.GetKind() == analyzerKind
	tc, err := resolveToolchain(req.GetInfo(), !isAnalyzer)
	if err != nil {
		return err
	}
	programDir := req.GetInfo().GetProgramDirectory()
	var args []string
	if isAnalyzer {
		args = append([]string{"-u", "-m", "pulumi.policy"}, req.GetArgs()...)
		args = append(args, programDir)
	} else {
		args = append([]string{programDir}, req.GetArgs()...)
	}
	cmd, err := tc.Command(ctx, args...)
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()
	if isAnalyzer {
		cmd.Dir = programDir
	} else {
		cmd.Dir = req.GetPwd()
	}
	var proxy *sdk.PolicyProxy
	if isAnalyzer {
		proxy, stdout, err = sdk.NewPolicyProxy(ctx, stdout)
		if err != nil {
			return fmt.Errorf("could not start the policy pack proxy: %w", err)
		}
		config, err := proxy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("could not get the stack configuration: %w", err)
		}
		if config != nil {
			setEnv := func(k, v string) {
				if v != "" {
					cmd.Env = append(cmd.Env, k+"="+v)
				}
			}
			setEnv("PULUMI_ORGANIZATION", config.GetOrganization())
			setEnv("PULUMI_PROJECT", config.GetProject())
			setEnv("PULUMI_STACK", config.GetStack())
			setEnv("PULUMI_DRY_RUN", strconv.FormatBool(config.GetDryRun()))
			if config.GetConfig() != nil {
				b, err := json.Marshal(config.GetConfig())
				if err != nil {
					return fmt.Errorf("serializing the stack configuration: %w", err)
				}
				setEnv("PULUMI_CONFIG", string(b))
			}
		}
	}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, req.GetEnv()...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("could not start the Python plugin: %w", err)
	}
	if proxy != nil {
		err = proxy.Attach(ctx, cmd)
	} else {
		err = cmd.Wait()
	}
	return langhostkit.PluginExit(server, err, closer)
}

func (h *languageHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	tc, err := resolveToolchain(req.GetInfo(), false)
	if err != nil {
		return nil, err
	}
	info, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{Executable: info.PythonExecutable, Version: info.PythonVersion.String()}, nil
}

func (h *languageHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	tc, err := resolveToolchain(req.GetInfo(), false)
	if err != nil {
		return nil, err
	}
	deps, err := tc.ListPackages(ctx, req.GetTransitiveDependencies())
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for _, d := range deps {
		resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: d.Name, Version: d.Version})
	}
	return resp, nil
}

func (h *languageHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancel()
	return &emptypb.Empty{}, nil
}
