// Mermaid's own parser on a diagram given on standard input (Node 20, jsdom for the DOM
// Mermaid's sanitiser wants). Prints one JSON object for tests/test_hostile_text.py:
//   diagramType, config (what the front matter and any %%{init}%% directive set),
//   theme and themeCSS as Mermaid will draw with, title (read from the front matter as
//   Mermaid reads it: js-yaml, JSON schema), nodes {id: label}, edges [[from, to]].
// A diagram Mermaid cannot parse prints {"error": message} and exits 1.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';
import { load as loadYaml, JSON_SCHEMA } from 'js-yaml';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');

const text = readFileSync(0, 'utf8');
try {
  mermaid.initialize({ startOnLoad: false });
  const parsed = await mermaid.parse(text);  // front matter, then directives, then the diagram
  const effective = mermaid.mermaidAPI.getConfig();
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  const front = text.match(/^([^\S\n\r]*)-{3}\s*[\n\r](.*?)[\n\r]\1-{3}\s*[\n\r]+/s);  // Mermaid's frontMatterRegex
  const meta = front ? (loadYaml(front[2], { schema: JSON_SCHEMA }) ?? {}) : {};
  const nodes = {};
  for (const [id, vertex] of diagram.db.getVertices()) nodes[id] = vertex.text;
  const edges = diagram.db.getEdges().map((e) => [e.start, e.end]);
  console.log(JSON.stringify({
    diagramType: parsed.diagramType, config: parsed.config, theme: effective.theme,
    themeCSS: effective.themeCSS ?? null, title: meta.title ?? null, nodes, edges,
  }));
} catch (e) {
  console.log(JSON.stringify({ error: String(e && e.message || e) }));
  process.exit(1);
}
