#!/usr/bin/env python3
"""Put an Odoo 18.0 source tree at DEST (used by scripts/odoo_env.sh).

Usage: odoo_source.py SOURCE DEST [--sha256 HEX] [--downloads DIR]

SOURCE is one of:
  - a source folder (it has odoo/release.py): DEST becomes a symbolic link
    to it, nothing is copied;
  - a git directory, bare or not (a mirror of Odoo's repository):
    ``git archive HEAD`` of odoo/ and requirements.txt (and addons/ when the
    add-ons live there, as in github.com/odoo/odoo) is extracted to DEST;
  - a .tar.gz/.tgz/.tar/.zip archive of the source (Odoo's nightly source
    archives, GitHub's): extracted to DEST, its top folder removed;
  - an http(s) URL of such an archive: downloaded into --downloads, checked
    against --sha256 (required), then extracted.

DEST must be an Odoo 18.0 source afterwards (odoo/release.py, series 18.0),
else the exit status is 1 with the reason on stderr. DEST.source (a file
beside DEST) records SOURCE.
"""

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
import zipfile


def say(msg):
    print(msg, file=sys.stderr, flush=True)


def fail(msg):
    say(f"error: {msg}")
    sys.exit(1)


def odoo_series(root):
    """'18.0' for an Odoo 18.0 source at root, None when it is not one."""
    release = os.path.join(root, "odoo", "release.py")
    try:
        with open(release, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return None
    found = re.search(r"^version_info\s*=\s*\((\d+),\s*(\d+)", text, re.M)
    return f"{found[1]}.{found[2]}" if found else None


def find_root(top, depth=2):
    """The folder under top (top included) that holds odoo/release.py."""
    if os.path.isfile(os.path.join(top, "odoo", "release.py")):
        return top
    if depth:
        for name in sorted(os.listdir(top)):
            path = os.path.join(top, name)
            if os.path.isdir(path) and not os.path.islink(path):
                root = find_root(path, depth - 1)
                if root:
                    return root
    return None


def is_git_dir(path):
    return os.path.isfile(os.path.join(path, "HEAD")) and os.path.isdir(
        os.path.join(path, "objects")
    )


def extract_tar(fileobj, dest, mode="r|*"):
    # streamed: works for `git archive` output on a pipe, as for files
    with tarfile.open(fileobj=fileobj, mode=mode) as tar:
        for member in tar:
            name = os.path.normpath(member.name)
            if name.startswith("..") or os.path.isabs(name):
                fail(f"archive member outside the destination: {member.name}")
            if member.issym() or member.islnk():
                if os.path.isabs(member.linkname) or ".." in member.linkname:
                    continue
            tar.extract(member, dest, set_attrs=False)


def from_git(gitdir, tmp):
    git = ["git", f"--git-dir={gitdir}"]
    names = subprocess.run(
        [*git, "ls-tree", "--name-only", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    if "odoo" not in names:
        fail(f"{gitdir}: HEAD has no odoo/ folder: not an Odoo source repository")
    paths = ["odoo"] + [n for n in ("requirements.txt", "setup.py") if n in names]
    sale = subprocess.run(
        [*git, "ls-tree", "--name-only", "HEAD", "odoo/addons/sale"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not sale and "addons" in names:
        paths.append("addons")  # github.com/odoo/odoo layout
    say(f"  git archive HEAD {' '.join(paths)} from {gitdir}")
    proc = subprocess.Popen(
        [*git, "archive", "--format=tar", "HEAD", *paths], stdout=subprocess.PIPE
    )
    extract_tar(proc.stdout, tmp)
    if proc.wait():
        fail(f"git archive failed in {gitdir}")
    return tmp


def from_archive(path, tmp):
    say(f"  extracting {path}")
    if path.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                norm = os.path.normpath(name)
                if norm.startswith("..") or os.path.isabs(norm):
                    fail(f"archive member outside the destination: {name}")
            archive.extractall(tmp)
    else:
        with open(path, "rb") as f:
            extract_tar(f, tmp)
    root = find_root(tmp)
    if not root:
        fail(f"{path}: no odoo/release.py in the archive")
    return root


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(url, sha256, downloads):
    os.makedirs(downloads, exist_ok=True)
    path = os.path.join(downloads, url.rstrip("/").rsplit("/", 1)[-1])
    if os.path.isfile(path) and sha256 and sha256_of(path) == sha256:
        say(f"  {path} already downloaded and verified")
        return path
    say(f"  downloading {url}")
    start = time.time()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            shown = 0
            with open(path + ".part", "wb") as out:
                for block in iter(lambda: response.read(1 << 20), b""):
                    out.write(block)
                    done += len(block)
                    if done - shown >= 50 << 20:
                        shown = done
                        of = f" of {total >> 20} MB" if total else " MB"
                        say(f"  ... {done >> 20}{of}, {time.time() - start:.0f} s")
    except OSError as exc:
        fail(
            f"cannot download {url}: {exc}.\n"
            "  This step needs network access to that host. Without it, give a\n"
            "  local Odoo 18.0 source: ODOO_SRC=<folder, .tar.gz/.zip archive or\n"
            "  git directory> make test   (or set ODOO_PYTHON to a Python that\n"
            "  imports Odoo 18.0)."
        )
    got = sha256_of(path + ".part")
    say(f"  {done >> 20} MB in {time.time() - start:.0f} s, SHA-256 {got}")
    if not sha256:
        fail(
            "no SHA-256 is recorded for the archive (ODOO_SRC_SHA256 in\n"
            "  scripts/odoo-source.env): an unverified archive is not used.\n"
            f"  Check the SHA-256 above against Odoo's, record it there, and\n"
            f"  run again (the download is kept in {path}.part)."
        )
    if got != sha256:
        fail(
            f"SHA-256 mismatch for {url}: expected {sha256}, got {got}.\n"
            "  The archive is not used (kept as .part for inspection)."
        )
    os.replace(path + ".part", path)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("dest")
    parser.add_argument("--sha256", default="")
    parser.add_argument("--downloads", default=None)
    args = parser.parse_args(argv)
    source = args.source
    dest = os.path.abspath(args.dest)
    parent = os.path.dirname(dest)
    os.makedirs(parent, exist_ok=True)
    if os.path.islink(dest) or os.path.isfile(dest):
        os.unlink(dest)
    elif os.path.isdir(dest):
        shutil.rmtree(dest)

    if re.match(r"^https?://", source):
        downloads = args.downloads or os.path.join(parent, "downloads")
        source_path = download(source, args.sha256.strip().lower(), downloads)
    else:
        source_path = os.path.abspath(os.path.expanduser(source))
        if not os.path.exists(source_path):
            fail(f"ODOO_SRC={source}: no such file or folder")

    if os.path.isdir(source_path) and odoo_series(source_path):
        root = os.path.realpath(source_path)
        if odoo_series(root) != "18.0":
            fail(f"{source}: Odoo {odoo_series(root)}, not 18.0")
        say(f"  linking {dest} -> {root} (nothing copied)")
        os.symlink(root, dest)
    else:
        tmp = tempfile.mkdtemp(prefix=".odoo-src-", dir=parent)
        try:
            if os.path.isdir(source_path):
                gitdir = source_path
                if not is_git_dir(gitdir) and is_git_dir(os.path.join(gitdir, ".git")):
                    gitdir = os.path.join(gitdir, ".git")
                if not is_git_dir(gitdir):
                    fail(
                        f"{source}: neither an Odoo source folder (odoo/release.py) "
                        "nor a git directory"
                    )
                root = from_git(gitdir, tmp)
            elif re.search(r"\.(tar\.gz|tgz|tar|tar\.xz|tar\.bz2|zip)$", source_path):
                root = from_archive(source_path, tmp)
            else:
                fail(f"{source}: not a folder, a git directory or a known archive")
            series = odoo_series(root)
            if series != "18.0":
                fail(f"{source}: Odoo {series or '(no odoo/release.py)'}, not 18.0")
            os.replace(root, dest)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    # beside DEST, not in it: DEST may be a link to the user's own folder
    with open(dest + ".source", "w", encoding="utf-8") as f:
        f.write(source + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
