// Fill a PDF form with pdf-lib, the way its documentation shows:
//   form.getTextField(name).setText(text); form.getRadioGroup(name).select(option);
//   form.getCheckBox(name).check() / .uncheck(); pdfDoc.save()
// pdf-lib's own Helvetica writes only WinAnsi characters, so, as its documentation shows for
// other text, a font is embedded with fontkit and the fields' appearances drawn with it.
// Usage: node fill-pdf-lib.mjs FONT.ttf IN.pdf OUT.pdf ANSWERS.json [OUT2.pdf ANSWERS2.json ...]
// ANSWERS: {"field": "text" | "option" | true | false}. Each further round reopens the file the round
// before it saved, as a user reopening the saved file would (one Node.js start for all rounds).
import { readFileSync, writeFileSync } from "node:fs";
import fontkit from "@pdf-lib/fontkit";
import { PDFDocument, PDFTextField, PDFRadioGroup, PDFCheckBox } from "pdf-lib";

async function fill(input, output, answers, fontFile) {
  const pdfDoc = await PDFDocument.load(readFileSync(input));
  pdfDoc.registerFontkit(fontkit);
  const font = await pdfDoc.embedFont(readFileSync(fontFile));
  const form = pdfDoc.getForm();
  for (const [name, value] of Object.entries(answers)) {
    const field = form.getField(name);
    if (field instanceof PDFTextField) field.setText(value);
    else if (field instanceof PDFRadioGroup) field.select(value);
    else if (field instanceof PDFCheckBox) (value ? field.check() : field.uncheck());
    else throw new Error(`${name}: unexpected field type ${field.constructor.name}`);
  }
  form.updateFieldAppearances(font);
  writeFileSync(output, await pdfDoc.save());
}

const [fontFile, first, ...rounds] = process.argv.slice(2);
let input = first;
for (let i = 0; i < rounds.length; i += 2) {
  await fill(input, rounds[i], JSON.parse(readFileSync(rounds[i + 1], "utf8")), fontFile);
  input = rounds[i];
}
