// Validates a JSON-LD document against SHACL shapes (UCO 1.4.0 + CASE 1.4.0 here) and prints one
// JSON report on stdout. Exit code 0: conforms; 1: does not conform (results listed); 2: unusable
// input or a shape this script cannot evaluate (it refuses rather than skip a constraint silently).
//
//   node validate.mjs DOCUMENT.jsonld SHAPES_DIR [SHAPES_DIR...]
//
// What it does, in the manner of case-utils' `case_validate` (pySHACL with the ontology as
// `ont_graph`):
// 1. Expands the document with jsonld.js in safe mode (any value or node that expansion would drop,
//    e.g. an @id that is not a valid IRI, is an error) and converts it to RDF.
// 2. Loads every .ttl under the shapes directories. UCO and CASE keep ontology and shapes in the same
//    files, so this one graph is both the shapes graph and the ontology.
// 3. Merges the ontology into the data graph: `sh:class` and the SPARQL constraints walk
//    rdfs:subClassOf, which only the ontology knows (a uco-observable:File is a core:UcoObject).
// 4. Runs the SHACL Core constraints with rdf-validate-shacl, which does not implement SHACL-SPARQL
//    (W3C SHACL §5). UCO's SPARQL constraints (UcoThings must not be blank nodes, hasFacet must not
//    be shared, dictionary keys, OWL syntax) are evaluated here with Comunica, pre-binding $this to
//    each focus node as §5.3.1 prescribes.
// Every result of any severity (Violation, Warning, Info) makes the document non-conformant, as
// pySHACL's default does.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import jsonld from 'jsonld';
import { Parser, Store, DataFactory } from 'n3';
import rdfDataset from '@rdfjs/dataset';
import SHACLValidator from 'rdf-validate-shacl';
import { QueryEngine } from '@comunica/query-sparql-rdfjs-lite';
import { BindingsFactory } from '@comunica/utils-bindings-factory';

const SH = 'http://www.w3.org/ns/shacl#';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const RDFS_SUBCLASS = 'http://www.w3.org/2000/01/rdf-schema#subClassOf';
const RDFS_CLASS = 'http://www.w3.org/2000/01/rdf-schema#Class';
const OWL_CLASS = 'http://www.w3.org/2002/07/owl#Class';
const OWL_ONTOLOGY = 'http://www.w3.org/2002/07/owl#Ontology';
const OWL_VERSION_IRI = 'http://www.w3.org/2002/07/owl#versionIRI';
const { namedNode } = DataFactory;

class UnusableInput extends Error {}

async function main(args) {
  if (args.length < 2) {
    throw new UnusableInput('usage: node validate.mjs DOCUMENT.jsonld SHAPES_DIR [SHAPES_DIR...]');
  }

  const document = JSON.parse(await readFile(args[0], 'utf8'));
  const expansion = await expandSafely(document);
  // Not in safe mode: the graph is what a processor keeps, and expandSafely() reports any loss.
  const dataQuads = await jsonld.toRDF(document, { documentLoader: refuseRemote });
  const ontology = await loadTurtle(args.slice(1));

  const merged = new Store([...dataQuads, ...ontology]);
  const unresolvedImports = new Set();
  const coreResults = await validateCore(ontology, merged, unresolvedImports);
  const sparql = await validateSparql(ontology, merged, dataQuads);
  const results = [...coreResults, ...sparql.results];
  return {
    conforms: results.length === 0,
    dataTriples: dataQuads.length,
    ontologyTriples: ontology.length,
    sparqlConstraints: sparql.constraints,
    sparqlFocusNodes: sparql.focusCount,
    sparqlDocumentFocusNodes: sparql.documentFocusCount,
    unresolvedImports: [...unresolvedImports].sort(),
    lossless: expansion.lossless,
    expansionError: expansion.error,
    expandedNodes: expansion.nodes,
    results,
  };
}

// Safe mode makes jsonld.js throw where it would otherwise drop data (an @id that is not an IRI,
// an unmapped term): a processor that drops the Investigation node silently is the failure we guard.
async function expandSafely(document) {
  try {
    const expanded = await jsonld.expand(document, { documentLoader: refuseRemote, safe: true });
    const graph = expanded.flatMap(n => n['@graph'] ?? [n]);
    const nodes = graph.map(n => ({
      id: n['@id'] ?? null,
      types: n['@type'] ?? [],
      name: n['https://ontology.unifiedcyberontology.org/uco/core/name']?.[0]?.['@value'] ?? null,
    }));
    return { lossless: true, error: null, nodes };
  } catch (e) {
    return { lossless: false, error: `${e.name}: ${e.message}`, nodes: [] };
  }
}

// The document must be self-contained: its @context is inline, nothing is fetched.
async function refuseRemote(url) {
  throw new UnusableInput(`remote JSON-LD context refused: ${url}`);
}

async function loadTurtle(directories) {
  const quads = [];
  for (const directory of directories) {
    const files = (await readdir(directory)).filter(f => f.endsWith('.ttl')).sort();
    if (files.length === 0) {
      throw new UnusableInput(`${directory}: no .ttl files`);
    }

    for (const file of files) {
      const text = await readFile(path.join(directory, file), 'utf8');
      quads.push(...new Parser({ baseIRI: `file:///${file}` }).parse(text));
    }
  }

  return quads;
}

// Every file is loaded up front, so owl:imports resolve to nothing more. An import of an ontology
// not shipped (UCO's co.ttl imports the Collections Ontology, purl.org/co, which holds no shapes) is
// listed in the report rather than fetched.
async function validateCore(shapes, data, unresolvedImports) {
  const loaded = new Set(shapes
    .filter(q => q.predicate.value === RDF_TYPE && q.object.value === OWL_ONTOLOGY)
    .map(q => q.subject.value));
  shapes.filter(q => q.predicate.value === OWL_VERSION_IRI).forEach(q => loaded.add(q.object.value));
  const importGraph = async url => {
    const iri = url.value ?? String(url);
    if (!loaded.has(iri)) {
      unresolvedImports.add(iri);
    }

    return rdfDataset.dataset();
  };
  // rdf-validate-shacl refuses sh:sparql (it has no SPARQL engine); validateSparql() evaluates those.
  const coreShapes = shapes.filter(q => q.predicate.value !== SH + 'sparql');
  const validator = new SHACLValidator(rdfDataset.dataset(coreShapes), { importGraph });
  const report = await validator.validate(rdfDataset.dataset([...data]));
  return report.results.map(r => ({
    engine: 'shacl-core',
    severity: local(r.severity),
    focusNode: r.focusNode?.value ?? null,
    path: r.path?.value ?? null,
    value: r.value?.value ?? null,
    message: r.message.map(m => m.value).join(' '),
    sourceShape: r.sourceShape?.value ?? null,
    constraint: local(r.sourceConstraintComponent),
  }));
}

async function validateSparql(shapesQuads, data, documentQuads) {
  const shapes = new Store(shapesQuads);
  const engine = new QueryEngine();
  const bindings = new BindingsFactory(DataFactory);
  const documentSubjects = new Set(documentQuads.map(q => key(q.subject)));
  const results = [];
  let constraints = 0;
  let focusCount = 0;
  let documentFocusCount = 0;
  for (const link of shapes.getQuads(null, namedNode(SH + 'sparql'), null, null)) {
    const shape = link.subject;
    const constraint = link.object;
    if (deactivated(shapes, shape) || deactivated(shapes, constraint)) {
      continue;
    }

    const query = single(shapes, constraint, 'select');
    if (query === null || shapes.getQuads(constraint, namedNode(SH + 'prefixes'), null, null).length > 0 || /\$PATH\b/.test(query.value)) {
      throw new UnusableInput(`${shape.value}: a SPARQL constraint this script does not evaluate (sh:ask, sh:prefixes or $PATH)`);
    }

    const focusNodes = targets(shapes, shape, data);
    if (focusNodes === null) {
      throw new UnusableInput(`${shape.value}: a SPARQL-constrained shape without a target (used through sh:node or sh:property) is not evaluated by this script`);
    }

    constraints++;
    focusCount += focusNodes.length;
    documentFocusCount += focusNodes.filter(f => documentSubjects.has(key(f))).length;
    const severity = single(shapes, shape, 'severity')?.value ?? SH + 'Violation';
    const message = (single(shapes, constraint, 'message') ?? single(shapes, shape, 'message'))?.value ?? null;
    for (const [focus, row] of await solutions(engine, bindings, query.value, focusNodes, data)) {
      if (row.get('failure')?.value === 'true') {
        throw new UnusableInput(`${shape.value}: the SPARQL constraint reported a failure for ${focus.value}`);
      }

      results.push({
        engine: 'shacl-sparql',
        severity: local(severity),
        focusNode: focus.value,
        path: row.get('path')?.value ?? null,
        value: row.get('value')?.value ?? null,
        message,
        sourceShape: shape.value,
        constraint: 'SPARQLConstraintComponent',
      });
    }
  }

  return { results, constraints, focusCount, documentFocusCount };
}

// The solutions of a constraint's query for each focus node, as (focus node, solution) pairs.
// SHACL §5.3.1 pre-binds $this to each focus node in turn. Where $this is bound by the query's own
// top-level pattern and nothing groups, binds or subtracts (all of UCO's constraints but the
// dictionary-key ones), one run with $this free, kept to the rows whose $this is a focus node, gives
// the same rows (a join with the focus nodes) in one query instead of thousands; the others run
// once per focus node.
async function solutions(engine, bindings, query, focusNodes, data) {
  const pairs = [];
  let oneByOne = focusNodes;
  if (!/GROUP\s+BY|HAVING|\bBIND\b|\bVALUES\b|\bMINUS\b|\bSERVICE\b/i.test(query) && /^\s*SELECT\s[^{]*\$this\b/im.test(query)) {
    // Comunica relabels blank nodes in its results, so only IRI focus nodes can be matched back;
    // blank ones (the very defect UCO's first constraint looks for) are pre-bound one by one.
    const wanted = new Map(focusNodes.filter(f => f.termType === 'NamedNode').map(f => [key(f), f]));
    oneByOne = focusNodes.filter(f => f.termType !== 'NamedNode');
    const stream = await engine.queryBindings(query, { sources: [data] });
    for (const row of await stream.toArray()) {
      const focus = wanted.get(key(row.get('this')));
      if (focus !== undefined) {
        pairs.push([focus, row]);
      }
    }
  }

  for (const focus of oneByOne) {
    const stream = await engine.queryBindings(query, { sources: [data], initialBindings: bindings.fromRecord({ this: focus }) });
    (await stream.toArray()).forEach(row => pairs.push([focus, row]));
  }

  return pairs;
}

function key(term) {
  return term === undefined ? '' : `${term.termType}:${term.value}`;
}

// Focus nodes of a shape (W3C SHACL §2.1.3): sh:targetNode, sh:targetClass and implicit class
// targets (with rdfs:subClassOf* instances), sh:targetSubjectsOf, sh:targetObjectsOf. Null when
// the shape has no target at all.
function targets(shapes, shape, data) {
  const nodes = new Map();
  const add = term => nodes.set(key(term), term);
  let targeted = false;
  const classes = shapes.getQuads(shape, namedNode(SH + 'targetClass'), null, null).map(q => q.object);
  const declared = shapes.getQuads(shape, namedNode(RDF_TYPE), null, null).map(q => q.object.value);
  if (declared.includes(RDFS_CLASS) || declared.includes(OWL_CLASS)) {
    classes.push(shape);
  }

  for (const cls of classes) {
    targeted = true;
    for (const sub of subclasses(data, cls)) {
      data.getQuads(null, namedNode(RDF_TYPE), sub, null).forEach(q => add(q.subject));
    }
  }

  for (const q of shapes.getQuads(shape, namedNode(SH + 'targetNode'), null, null)) {
    targeted = true;
    add(q.object);
  }

  for (const q of shapes.getQuads(shape, namedNode(SH + 'targetSubjectsOf'), null, null)) {
    targeted = true;
    data.getQuads(null, q.object, null, null).forEach(d => add(d.subject));
  }

  for (const q of shapes.getQuads(shape, namedNode(SH + 'targetObjectsOf'), null, null)) {
    targeted = true;
    data.getQuads(null, q.object, null, null).forEach(d => add(d.object));
  }

  return targeted ? [...nodes.values()] : null;
}

function subclasses(data, cls) {
  const seen = new Map([[cls.value, cls]]);
  const queue = [cls];
  while (queue.length > 0) {
    for (const q of data.getQuads(null, namedNode(RDFS_SUBCLASS), queue.pop(), null)) {
      if (!seen.has(q.subject.value)) {
        seen.set(q.subject.value, q.subject);
        queue.push(q.subject);
      }
    }
  }

  return [...seen.values()];
}

function deactivated(shapes, term) {
  return shapes.getQuads(term, namedNode(SH + 'deactivated'), null, null).some(q => q.object.value === 'true');
}

function single(shapes, subject, property) {
  return shapes.getQuads(subject, namedNode(SH + property), null, null)[0]?.object ?? null;
}

function local(term) {
  const value = typeof term === 'string' ? term : term?.value ?? '';
  return value.startsWith(SH) ? value.slice(SH.length) : value;
}

try {
  const report = await main(process.argv.slice(2));
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  process.exitCode = report.conforms && report.lossless ? 0 : 1;
} catch (e) {
  process.stderr.write(`validate.mjs: ${e instanceof UnusableInput ? '' : `${e.name}: `}${e.message}\n`);
  process.exitCode = 2;
}
