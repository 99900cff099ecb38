const DISCORD_EPOCH = 1_420_070_400_000n;
let increment = 0n;

/** A snowflake shaped like Discord's (17–19 digits), so REST bucket parsing matches it. */
export function snowflake(at = Date.now()): string {
  increment = (increment + 1n) % 4096n;
  return (((BigInt(at) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
}
