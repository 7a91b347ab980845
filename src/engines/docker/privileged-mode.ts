// What `capabilities.privileged` becomes on this host. Docker's own privileged mode grants every capability
// and fails where the worker itself lacks one (a host without CAP_SYS_RESOURCE refuses it with "operation
// not permitted"); there it is every capability the host can give, without seccomp and AppArmor.
import type Docker from 'dockerode';

/** Capability numbers (linux/capability.h) of those a host may lack, by Docker's name. */
const capabilityBits: ReadonlyArray<readonly [string, number]> = [
  ['SYS_RESOURCE', 24],
  ['SYS_ADMIN', 21],
  ['SYS_MODULE', 16],
  ['SYS_RAWIO', 17],
  ['SYS_TIME', 25],
  ['SYS_PTRACE', 19],
  ['NET_ADMIN', 12],
  ['MAC_ADMIN', 33],
  ['MAC_OVERRIDE', 32],
  ['SYSLOG', 34],
  ['BPF', 39],
  ['PERFMON', 38],
  ['CHECKPOINT_RESTORE', 40],
];

/** The capabilities named above that the bounding set (CapBnd of /proc/self/status, hex) lacks. */
export function missingCapabilities(capBndHex: string): string[] {
  const bounding = BigInt(`0x${capBndHex.trim() || '0'}`);
  return capabilityBits.filter(([, bit]) => (bounding & (1n << BigInt(bit))) === 0n).map(([name]) => name);
}

/** The host config fields of a privileged container. */
export function privilegedHostConfig(missing: readonly string[]): Docker.HostConfig {
  if (missing.length === 0) return { Privileged: true };
  return {
    CapAdd: ['ALL'],
    CapDrop: [...missing],
    SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
  };
}

/** CapBnd of the worker's own process, from the text of /proc/self/status. */
export function boundingSetOf(status: string): string {
  return /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '0';
}
