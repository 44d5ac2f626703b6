import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KDL_TOLERANCE, readKdlReferences, worstKdlDifference } from '../helpers/kdl-reference.js';
import {
  CORPUS_DIR, FIXTURES_DIR, KDL_REFERENCE_DIR, readBuiltinUrdf, skipWithoutCorpus,
} from '../helpers/paths.js';

const IMPLEMENTATIONS = ['compiled', 'reference'] as const;

describe('builtin robots reproduce the KDL data of the matching corpus chains', () => {
  for (const ref of readKdlReferences(join(FIXTURES_DIR, 'kdl'))) {
    for (const implementation of IMPLEMENTATIONS) {
      it(`${ref.robot}: ${ref.base} -> ${ref.tip} (${implementation}, raw)`, () => {
        expect(worstKdlDifference(readBuiltinUrdf(ref.robot), ref, 'raw', implementation)).toBeLessThan(KDL_TOLERANCE);
      });
      if (ref.mimic_expanded) {
        it(`${ref.robot}: ${ref.base} -> ${ref.tip} (${implementation}, mimic expanded)`, () => {
          expect(worstKdlDifference(readBuiltinUrdf(ref.robot), ref, 'mimic_expanded', implementation)).toBeLessThan(KDL_TOLERANCE);
        });
      }
    }
  }
});

describe('every chain of every corpus robot matches KDL', () => {
  if (skipWithoutCorpus()) return;
  const refs = readKdlReferences(KDL_REFERENCE_DIR);
  it('covers every chain listed in chains.json', () => {
    const chains = JSON.parse(readFileSync(join(CORPUS_DIR, 'chains.json'), 'utf8')) as {
      robots: { robot: string; chains: { base: string; tip: string }[] }[];
    };
    const listed = chains.robots.flatMap((r) => r.chains.map((c) => `${r.robot}:${c.base}:${c.tip}`)).sort();
    expect(refs.map((r) => `${r.robot}:${r.base}:${r.tip}`).sort()).toEqual(listed);
  });
  for (const ref of refs) {
    const urdf = readFileSync(join(CORPUS_DIR, `${ref.robot}.urdf`), 'utf8');
    for (const implementation of IMPLEMENTATIONS) {
      it(`${ref.robot}: ${ref.base} -> ${ref.tip} (${implementation}, raw)`, () => {
        expect(worstKdlDifference(urdf, ref, 'raw', implementation)).toBeLessThan(KDL_TOLERANCE);
      });
      if (ref.mimic_expanded) {
        it(`${ref.robot}: ${ref.base} -> ${ref.tip} (${implementation}, mimic expanded)`, () => {
          expect(worstKdlDifference(urdf, ref, 'mimic_expanded', implementation)).toBeLessThan(KDL_TOLERANCE);
        });
      }
    }
  }
});
