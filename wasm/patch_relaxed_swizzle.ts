/**
 * Rewrites LLVM 14's pre-standard `i8x16.relaxed_swizzle` opcode (0xfd 0xa2 0x01) to the final
 * one (0xfd 0x80 0x02, same length) in a wasm module built by build.sh.
 *
 * usage: deno run --allow-read --allow-write wasm/patch_relaxed_swizzle.ts <in.wasm> <out.wasm> <count>
 *
 * `count` is the number of relaxed_swizzle instructions in the compiler's assembly output for the
 * same build; the byte pattern must occur exactly that often, so no immediate or data bytes that
 * merely look like the opcode are touched.
 */
const [inPath, outPath, countText] = Deno.args;
const expectedCount = Number(countText);
const bytes = await Deno.readFile(inPath);
const offsets: number[] = [];
for (let i = 0; i + 2 < bytes.length; i++) {
  if (bytes[i] === 0xfd && bytes[i + 1] === 0xa2 && bytes[i + 2] === 0x01) offsets.push(i);
}
if (offsets.length !== expectedCount || expectedCount === 0) {
  console.error(
    `Cannot patch ${inPath}: found the opcode bytes ${offsets.length} times, the assembly has ${expectedCount} relaxed_swizzle`,
  );
  Deno.exit(1);
}
for (const offset of offsets) bytes.set([0xfd, 0x80, 0x02], offset);
if (!WebAssembly.validate(bytes)) {
  console.error(`Cannot patch ${inPath}: the patched module does not validate`);
  Deno.exit(1);
}
await Deno.writeFile(outPath, bytes);
