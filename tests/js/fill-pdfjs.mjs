// Fill a PDF form with pdf.js (Firefox's PDF engine) as its viewer does, then save as Firefox does.
// The viewer stores every widget's value in annotationStorage by annotation id: text as
// {value: "..."}; a radio button as {value: true} for the chosen widget and {value: false}
// for the others of its group; a checkbox as {value: true|false}. Saving is saveDocument().
// Usage: node fill-pdfjs.mjs IN.pdf OUT.pdf ANSWERS.json [OUT2.pdf ANSWERS2.json ...]
//                                                              (ANSWERS as for fill-pdf-lib.mjs; each further
//                                                               round reopens the file the one before saved)
//        node fill-pdfjs.mjs --read IN.pdf...                 (prints the values the viewer shows in each,
//                                                               {"IN.pdf": {field: value}}; each file opened
//                                                               on its own, as a new tab of the viewer)
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

const require = createRequire(import.meta.url);
const root = path.dirname(require.resolve("pdfjs-dist/package.json"));
const options = { standardFontDataUrl: path.join(root, "standard_fonts") + "/",
                  cMapUrl: path.join(root, "cmaps") + "/", cMapPacked: true, verbosity: 0 };

async function open(file) {
  return getDocument({ data: new Uint8Array(readFileSync(file)), ...options }).promise;
}

// What the viewer shows: each field's value, read from the widgets as the viewer draws them.
async function read(file) {
  const doc = await open(file);
  const shown = {};
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    for (const a of await page.getAnnotations({ intent: "display" })) {
      if (a.subtype !== "Widget" || !a.fieldName) continue;
      if (a.radioButton) { if (a.fieldValue === a.buttonValue) shown[a.fieldName] = a.buttonValue; }
      else if (a.checkBox) { if (a.fieldValue && a.fieldValue !== "Off") shown[a.fieldName] = true; }
      else if (a.fieldValue) shown[a.fieldName] = a.fieldValue;
    }
  }
  return shown;
}

async function fill(input, output, answers) {
  const doc = await open(input);
  const storage = doc.annotationStorage;
  const fields = await doc.getFieldObjects();
  for (const [name, value] of Object.entries(answers)) {
    const widgets = fields[name];
    if (!widgets) throw new Error(`${name}: no such field`);
    for (const w of widgets.filter((w) => w.type)) {   // the first entry may be the group itself
      if (w.type === "radiobutton") storage.setValue(w.id, { value: w.exportValues === value });
      else if (w.type === "checkbox") storage.setValue(w.id, { value: Boolean(value) });
      else if (w.type === "text") storage.setValue(w.id, { value });
      else throw new Error(`${name}: unexpected field type ${w.type}`);
    }
  }
  writeFileSync(output, await doc.saveDocument());
}

const args = process.argv.slice(2);
if (args[0] === "--read") {
  const shown = {};
  for (const file of args.slice(1)) shown[file] = await read(file);
  console.log(JSON.stringify(shown));
}
else {
  let input = args[0];
  for (let i = 1; i < args.length; i += 2) {
    await fill(input, args[i], JSON.parse(readFileSync(args[i + 1], "utf8")));
    input = args[i];
  }
}
