// Writes the same six rows as an Arrow IPC file (Feather v2) and an Arrow IPC stream, in two record batches of three
// rows: float64 x with one null, int32 i, float32 f, bool b, and g as text (dictionary-encoded, apache-arrow's default for strings).
import { writeFileSync } from 'node:fs';
import { tableFromArrays, tableToIPC, Table, vectorFromArray, Float64, Int32, Float32, Bool, Dictionary, Utf8 } from 'apache-arrow';

function batch(x, i, f, b, g) {
  return new Table({
    x: vectorFromArray(x, new Float64()),
    i: vectorFromArray(i, new Int32()),
    f: vectorFromArray(f, new Float32()),
    b: vectorFromArray(b, new Bool()),
    g: vectorFromArray(g, new Dictionary(new Utf8(), new Int32())),
  });
}
// One table, cut into two batches that share its dictionary (the file format allows no replacement dictionary).
const whole = batch([1.5, -2.25, 3e-300, 4e10, null, 0.125], [1, -2, 3, 4, 5, 2147483647], [0.5, -1.25, 3.0, 0.001, 2.5, -7],
  [true, false, true, false, false, true], ['a', 'b', 'a', 'c', 'b', 'a']);
const table = new Table([...whole.slice(0, 3).batches, ...whole.slice(3).batches]);
writeFileSync(process.argv[2], tableToIPC(table, 'file'));
writeFileSync(process.argv[3], tableToIPC(table, 'stream'));
console.log(table.batches.length, 'batches', table.numRows, 'rows');
