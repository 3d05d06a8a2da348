"""benchlib: what the benchmark scripts share: the project's paths, a Release
build of dmarcd, and corpora made once with ../shared/bench/gen_corpus.py."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(ROOT, "..", "shared", "bench", "gen_corpus.py")
OUT = os.path.join(ROOT, "bench", "out")


def build(dmarcd):
    """The dmarcd given, or a Release build of this tree in build-bench/."""
    if dmarcd:
        return os.path.abspath(dmarcd)
    bdir = os.path.join(ROOT, "build-bench")
    subprocess.run(["cmake", "-S", ROOT, "-B", bdir, "-DCMAKE_BUILD_TYPE=Release",
                    "-DDMARCD_TESTS=OFF"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", bdir, "-j", str(os.cpu_count() or 2), "--target",
                    "dmarcd"], check=True, stdout=subprocess.DEVNULL)
    return os.path.join(bdir, "dmarcd")


def generate(path, args, who):
    """Writes gen_corpus.py's corpus for args at path, unless it is there already."""
    if os.path.isdir(path):
        return
    if not os.path.exists(GEN):
        sys.exit("%s needs ../shared/bench/gen_corpus.py next to the project" % who)
    os.makedirs(OUT, exist_ok=True)
    subprocess.run([sys.executable, GEN, "--out", path + ".tmp"] + args, check=True,
                   stdout=subprocess.DEVNULL)
    os.rename(path + ".tmp", path)
