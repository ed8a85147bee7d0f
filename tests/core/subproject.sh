#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# xchg as a Meson subproject: a tiny project in a private folder with this
# source tree as subprojects/xchg asks for
#   dependency('libxchg', fallback: ['xchg', 'xchg_dep'])
# with -Dxchg:apps=false (no programs, no tests), builds an application
# that includes every installed header and calls into each of the four
# libraries, and runs it on net_null.
#
# Usage: subproject.sh SOURCE_ROOT SANITIZE
set -u
src=$(cd "$1" && pwd)
dir=$(mktemp -d /tmp/xchg-subproject-XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/subprojects"
ln -s "$src" "$dir/subprojects/xchg"

cat >"$dir/meson.build" <<'EOM'
project('consumer', 'c', default_options: ['c_std=c11', 'warning_level=2', 'werror=true'])
add_project_arguments('-D_GNU_SOURCE', language: 'c')
xchg = dependency('libxchg', fallback: ['xchg', 'xchg_dep'],
                  default_options: ['apps=false', 'tests=false', 'examples=false', 'doc=disabled'])
executable('app', 'app.c', dependencies: xchg)
EOM
{
	echo '#include <stdio.h>'
	echo '#include <rte_eal.h>'
	for h in "$src"/lib/xchg/xchg.h "$src"/lib/xchg/xchg_arena.h \
		"$src"/lib/xchg/xchg_pool.h "$src"/lib/xchg/xchg_census.h \
		"$src"/lib/xchg/xchg_consumer.h "$src"/lib/xchg/xchg_watch.h \
		"$src"/drivers/port/xchg_port.h "$src"/lib/stack/xchg_stack.h \
		"$src"/lib/config/xchg_config.h; do
		echo "#include <$(basename "$h")>"
	done
	cat <<'EOC'
int
main(int argc, char **argv)
{
	struct xchg_arena_conf conf = { .name = "sub", .socket_id = SOCKET_ID_ANY,
					.nb_buffers = 1024 };
	struct xchg_census census;
	char line[256];

	if (rte_eal_init(argc, argv) < 0)
		return 1;
	struct xchg_arena *a = xchg_arena_create(&conf);
	if (a == NULL || xchg_arena_census(a, &census) != 0)
		return 1;
	xchg_census_format(&census, line, sizeof(line));
	/* One call into each of the other libraries. */
	printf("census: %s\nbehaviour %s, drop %s, port %d\n", line,
	       xchg_config_behaviour_name(XCHG_BEHAVIOUR_HOG),
	       xchg_stack_drop_name(XCHG_SD_NO_SOCKET),
	       xchg_port_foreach(NULL, NULL));
	xchg_arena_free(a);
	rte_eal_cleanup();
	return 0;
}
EOC
} >"$dir/app.c"
opts=""
[ "${2:-none}" != none ] && opts="-Db_sanitize=$2 -Db_lundef=false"
cd "$dir" || exit 1
# shellcheck disable=SC2086
if ! meson setup build --force-fallback-for=libxchg $opts >setup.log 2>&1; then
	tail -30 setup.log
	echo "FAIL meson setup of a project with xchg as a subproject"
	exit 1
fi
grep -q "Dependency libxchg found: YES .* (overridden)\|Found dependency.*libxchg\|libxchg.*YES" setup.log || { tail -20 setup.log; echo "FAIL libxchg not found through the subproject"; exit 1; }
if ! ninja -C build >build.log 2>&1; then
	tail -30 build.log
	echo "FAIL building the consumer against the libxchg subproject"
	exit 1
fi
[ ! -e build/subprojects/xchg/apps ] || { echo "FAIL -Dxchg:apps=false still built the programs"; exit 1; }
out=$(./build/app -l 0 --no-huge -m 128 --no-pci --no-shconf 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || { echo "FAIL the consumer exited $rc"; exit 1; }
echo "$out" | grep -q '^census: total 1024 = .*: conserved$' || { echo "FAIL no conserved census"; exit 1; }
echo "$out" | grep -q '^behaviour hog, drop no_socket, port' || { echo "FAIL the config and stack libraries did not answer"; exit 1; }
echo "ok   a Meson project links libxchg from subprojects/xchg: every installed header, four libraries"
