package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
)

// InstallDependencies serves `pulumi install`, and what the CLI asks before it starts a Python plugin (`pulumi
// package get-schema`, `pulumi package add`, `packages:` of a program): every time, for the plugin's directory.
//
// The official host hands this to the toolchain, whose pip flavour runs `python -m venv VENV` and `pip install
// --upgrade pip setuptools wheel` even when VENV already exists, so a plugin whose `virtualenv` option names
// someone's working virtualenv (a project's .venv) has it re-created and its packages upgraded, each call. This host
// changes only what it creates:
//   - pip, the virtualenv missing (or an empty directory): the toolchain creates it, upgrades pip, setuptools and
//     wheel in it and installs requirements.txt, as the official host does.
//   - pip, the virtualenv exists (it has bin/python), or no virtualenv (the ambient python): nothing is re-created or
//     upgraded; `python -m pip install -r requirements.txt` runs only when the directory has a requirements.txt.
//   - uv and poetry (option `toolchain`, or a uv.lock / poetry.lock found as the SDK looks for them): the toolchain,
//     whose `uv sync` / `poetry install` bring the environment to the project's own lock file.
func (h *languageHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	info := req.GetInfo()
	opts, err := pythonOptions(info, req.GetIsPlugin())
	if err != nil {
		return err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	dir := info.GetProgramDirectory()
	venv := virtualenvPath(opts)
	if !usesPip(opts) || (venv != "" && !toolchain.IsVirtualEnv(venv)) {
		err = tc.InstallDependencies(server.Context(), dir, req.GetUseLanguageVersionTools(), true, stdout, stderr)
	} else {
		err = installRequirements(server.Context(), venv, dir, stdout, stderr)
	}
	if err != nil {
		return err
	}
	return closer.Close()
}

// installRequirements installs dir/requirements.txt, if there is one, into the existing virtualenv venv (or the
// ambient python when venv is ""), without touching anything else in it.
func installRequirements(ctx context.Context, venv, dir string, stdout, stderr io.Writer) error {
	where := "the ambient python (no virtualenv option)"
	if venv != "" {
		where = "the existing virtualenv " + venv
	}
	if _, err := os.Stat(filepath.Join(dir, "requirements.txt")); err != nil {
		fmt.Fprintf(stdout, "Using %s as it is: not re-created, nothing upgraded, no requirements.txt in %s\n",
			where, dir)
		return nil
	}
	fmt.Fprintf(stdout, "Installing requirements.txt into %s (not re-created, pip, setuptools and wheel not "+
		"upgraded)...\n", where)
	args := []string{"-m", "pip", "install", "-r", "requirements.txt"}
	cmd, err := toolchain.Command(ctx, args...)
	if venv != "" {
		cmd, err = toolchain.VirtualEnvCommand(venv, "python", args...), nil
		cmd.Env = toolchain.ActivateVirtualEnv(os.Environ(), venv)
	}
	if err != nil {
		return err
	}
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("installing %s into %s via '%s': %w", filepath.Join(dir, "requirements.txt"), where,
			cmd.String(), err)
	}
	return nil
}

// virtualenvPath is the absolute virtualenv of the pip toolchain for opts ("" for the ambient python): relative to
// the project (or plugin) root, as python/toolchain resolves it.
func virtualenvPath(opts toolchain.PythonOptions) string {
	if opts.Virtualenv == "" || filepath.IsAbs(opts.Virtualenv) {
		return opts.Virtualenv
	}
	return filepath.Join(opts.Root, opts.Virtualenv)
}

// usesPip tells whether toolchain.ResolveToolchain picks pip for opts: asked for, or Auto with no uv.lock and no
// poetry.lock in the program directory or above it (the SDK's own rule, python/toolchain.ResolveToolchain).
func usesPip(opts toolchain.PythonOptions) bool {
	switch opts.Toolchain {
	case toolchain.Pip:
		return true
	case toolchain.Auto:
		for dir := opts.ProgramDir; ; dir = filepath.Dir(dir) {
			for _, lock := range []string{"uv.lock", "poetry.lock"} {
				if _, err := os.Stat(filepath.Join(dir, lock)); err == nil {
					return false
				}
			}
			if filepath.Dir(dir) == dir {
				return true
			}
		}
	default:
		return false
	}
}
