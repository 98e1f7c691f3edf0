// Package langhostkit is what chalk-policy's own language hosts share (engine/langhost for Python,
// engine/langhost-nodejs, engine/langhost-go): the plugin start-up every Pulumi plugin goes through (flags, the engine
// health check, serving LanguageRuntime on a free port and printing it), errors that say what a host does not do, and
// SDK generation through pkg/v3/codegen.
//
// Why our own hosts at all: the Go module proxy reachable from our machines serves the pulumi pkg/v3 and sdk/v3
// modules, but answers 403 for every version of the official hosts' modules (sdk/python/cmd/pulumi-language-python/v3,
// sdk/nodejs/cmd/pulumi-language-nodejs/v3, sdk/go/pulumi-language-go/v3), which have go.mod files of their own.
package langhostkit

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Host describes one of our language hosts for Main.
type Host struct {
	// Name is the executable's name, e.g. "pulumi-language-nodejs".
	Name string
	// Limits says which host this is and what it does, as one or more sentences: every "not implemented" error the
	// host returns carries it.
	Limits string
}

// Main parses the command line (see ParseFlags), hands the engine address to newServer and serves what it returns
// until the engine goes away. `-version` prints the version and exits.
func Main(host Host, newServer func(engineAddress string) pulumirpc.LanguageRuntimeServer) {
	flag.String("tracing", "", "tracing endpoint (accepted for compatibility, unused)")
	showVersion := flag.Bool("version", false, "print the version and exit")
	args := ParseFlags()
	if *showVersion {
		fmt.Println(version.Version)
		return
	}
	var engineAddress string
	if len(args) > 0 {
		engineAddress = args[0]
	}
	Serve(host, newServer(engineAddress), engineAddress)
}

// ParseFlags parses the flags the host registered on flag.CommandLine and returns the positional arguments (the
// engine address). Engines built on sdk/v3 before the handshake RPC (for example the one inside
// pulumi-language-yaml v1.25.0, sdk v3.206.0, when it loads a plugin's schema) start a language host as
// `HOST -OPTION=VALUE... -root=DIR ENGINE_ADDRESS`, one flag per `runtime.options` entry of the plugin
// (-virtualenv, -toolchain, -typechecker, -typescript, -nodeargs, -packagemanager, ...). Those options reach the host
// again in every request's ProgramInfo, so a `-NAME=VALUE` flag the host did not register is dropped here instead
// of failing with "flag provided but not defined".
func ParseFlags() []string {
	var kept []string
	args := os.Args[1:]
	for i, arg := range args {
		if arg == "--" || !strings.HasPrefix(arg, "-") {
			kept = append(kept, args[i:]...)
			break
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if hasValue && flag.CommandLine.Lookup(name) == nil {
			continue // an older engine's runtime option (or -root): ignored, see above
		}
		kept = append(kept, arg)
	}
	if err := flag.CommandLine.Parse(kept); err != nil {
		cmdutil.Exit(err) // unreachable with flag.ExitOnError, kept for other error handling modes
	}
	return flag.Args()
}

// Serve serves srv on a free port, prints the port on stdout (how the engine finds a plugin) and returns when the
// engine goes away (health check), on SIGINT, or exits the process when serving fails.
func Serve(host Host, srv pulumirpc.LanguageRuntimeServer, engineAddress string) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, stop); err != nil {
			cmdutil.Exit(fmt.Errorf("%s: could not start the engine health check: %w", host.Name, err))
		}
	}
	cancel := make(chan bool)
	go func() { <-ctx.Done(); close(cancel) }()
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(s, srv)
			return nil
		},
		Options: []grpc.ServerOption{
			grpc.ChainUnaryInterceptor(host.unaryInterceptor),
			grpc.ChainStreamInterceptor(host.streamInterceptor),
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("%s: could not start the language host RPC server: %w", host.Name, err))
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("%s: language host RPC stopped serving: %w", host.Name, err))
	}
}

// explain rewrites the generic "method X not implemented" of pulumirpc.UnimplementedLanguageRuntimeServer into an
// error that names the host and says what it cannot do. The code stays Unimplemented: the engine falls back on it
// for optional RPCs (Handshake, GetRequiredPackages, RuntimeOptionsPrompts, ...).
func (h Host) explain(fullMethod string, err error) error {
	if status.Code(err) != codes.Unimplemented {
		return err
	}
	method := fullMethod[strings.LastIndex(fullMethod, "/")+1:]
	return status.Errorf(codes.Unimplemented, "%s does not implement %s: %s For that, use an official Pulumi "+
		"install (its host can't be built here: the Go module proxy refuses the module).", h.Name, method, h.Limits)
}

func (h Host) unaryInterceptor(
	ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler,
) (any, error) {
	resp, err := handler(ctx, req)
	return resp, h.explain(info.FullMethod, err)
}

func (h Host) streamInterceptor(
	srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler,
) error {
	return h.explain(info.FullMethod, handler(srv, ss))
}

// Generator is one language's pkg/v3/codegen GeneratePackage, adapted to a bound package and the request.
type Generator func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest,
	loader schema.ReferenceLoader) (map[string][]byte, error)

// GeneratePackage implements the GeneratePackage RPC (what `pulumi package gen-sdk` and `pulumi package add` call):
// it binds the request's schema through the engine's schema loader (for references to other packages), runs
// generate and writes its files under the request's directory. Schema errors come back as diagnostics, which the
// CLI prints.
func GeneratePackage(
	req *pulumirpc.GeneratePackageRequest, generate Generator,
) (*pulumirpc.GeneratePackageResponse, error) {
	if req.GetDirectory() == "" {
		return nil, errors.New("GeneratePackage: the request names no output directory")
	}
	loader, err := schema.NewLoaderClient(req.GetLoaderTarget())
	if err != nil {
		return nil, fmt.Errorf("connecting to the engine's schema loader: %w", err)
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(req.GetSchema()), &spec); err != nil {
		return nil, fmt.Errorf("reading the package schema: %w", err)
	}
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return nil, fmt.Errorf("binding the package schema: %w", err)
	}
	resp := &pulumirpc.GeneratePackageResponse{Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(diags)}
	if diags.HasErrors() {
		return resp, nil
	}
	files, err := generate(pkg, req, loader)
	if err != nil {
		return nil, fmt.Errorf("generating the SDK of %s: %w", spec.Name, err)
	}
	for name, data := range files {
		out := filepath.Join(req.GetDirectory(), name)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(out, data, 0o644); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// ExitAfterUserMessage is the exit code both program launchers use after they have logged the program's error through
// the engine (our Python exec shim and @pulumi/pulumi's cmd/run): the engine then must not print another one.
const ExitAfterUserMessage = 32

// RunResult is the RunResponse for a finished program process: Bail after ExitAfterUserMessage, the exit code for any
// other failure, and "could not run <what>" when the process did not start.
func RunResult(err error, what string) *pulumirpc.RunResponse {
	if err == nil {
		return &pulumirpc.RunResponse{}
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.ExitStatus() == ExitAfterUserMessage {
			return &pulumirpc.RunResponse{Bail: true}
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited with non-zero exit code: %d",
			exitErr.ExitCode())}
	}
	return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run %s: %v", what, err)}
}

// PluginExit ends RunPlugin for a plugin process that was started: a non-zero exit code goes to the engine as the
// RunPluginResponse, any other error is returned, and a clean exit closes the plugin's output streams (closer).
func PluginExit(server pulumirpc.LanguageRuntime_RunPluginServer, err error, closer io.Closer) error {
	if err == nil {
		return closer.Close()
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return server.Send(&pulumirpc.RunPluginResponse{
			Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(exitErr.ExitCode())},
		})
	}
	return err
}
