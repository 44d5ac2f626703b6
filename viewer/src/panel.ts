/**
 * The page's controls and readouts: the joint sliders, the singular-value bars against MoveIt
 * Servo's band, and small DOM helpers. Text only ever goes in through textContent, and styles
 * through the CSSOM, so the page runs under a content security policy without 'unsafe-inline'.
 */
import type * as THREE from 'three';
import type { RobotSummary } from './api.js';

/** MoveIt Servo's condition-number band: decelerate from 17, halt at 30 (its lower_singularity_threshold and hard_stop_singularity_threshold). */
export const SERVO_DECELERATE = 17;
export const SERVO_HALT = 30;
/** Decades of σ_i / σ_max the bars span (log scale): 1e-3 at the left edge. */
const BAR_DECADES = 3;

export function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node as T;
}

/** The slider range of a joint: its limits, ±π for a continuous joint, ±1 m for a prismatic joint without limits. */
export function sliderRange(joint: RobotSummary['joints'][number]): [number, number] {
  const { lower, upper } = joint.limits;
  if (lower !== undefined && upper !== undefined) return [lower, upper];
  return joint.type === 'prismatic' ? [-1, 1] : [-Math.PI, Math.PI];
}

export interface JointSliders {
  inputs: HTMLInputElement[];
  values: HTMLElement[];
}

/** One slider per active joint, in q order, each calling `onInput(k, value)`. */
export function buildJointSliders(container: HTMLElement, summary: RobotSummary, colours: THREE.Color[], q: readonly number[],
  onInput: (k: number, value: number) => void): JointSliders {
  container.replaceChildren();
  const inputs: HTMLInputElement[] = [];
  const values: HTMLElement[] = [];
  summary.joints.forEach((joint, k) => {
    const row = element('div', 'joint');
    const name = element('label', 'name', `${joint.name} (${joint.type})`);
    name.style.setProperty('--joint-colour', `#${colours[k]!.getHexString()}`);
    const input = element('input');
    input.type = 'range';
    const [lower, upper] = sliderRange(joint);
    input.min = String(lower);
    input.max = String(upper);
    // any value: the slider's value is exactly the q sent to the API
    input.step = 'any';
    input.value = String(q[k]);
    input.dataset.testid = `joint-slider-${joint.name}`;
    input.id = `joint-${k}`;
    name.htmlFor = input.id;
    const value = element('span', 'value', q[k]!.toFixed(3));
    input.addEventListener('input', () => onInput(k, Number(input.value)));
    row.append(name, input, value);
    container.append(row);
    inputs.push(input);
    values.push(value);
  });
  return { inputs, values };
}

/** Where a ratio σ_i / σ_max lies on the bars' log scale, 0 to 1. */
function barPosition(ratio: number): number {
  return ratio <= 0 ? 0 : Math.max(0, Math.min(1, 1 + Math.log10(ratio) / BAR_DECADES));
}

/** Bars of the singular values (largest first) relative to the largest, with the band of MoveIt Servo shaded. */
export function drawSingularValues(container: HTMLElement, singularValues: readonly number[]): void {
  container.replaceChildren();
  const largest = singularValues[0] ?? 0;
  for (const sigma of singularValues) {
    const ratio = largest > 0 ? sigma / largest : 0;
    const bar = element('div', 'bar');
    const fill = element('div', `fill${ratio < 1 / SERVO_HALT ? ' halt' : ratio < 1 / SERVO_DECELERATE ? ' warn' : ''}`);
    fill.style.width = `${(barPosition(ratio) * 100).toFixed(2)}%`;
    bar.append(fill, element('span', 'label', `σ = ${sigma.toPrecision(4)}`));
    container.append(bar);
  }
  const band = element('div', 'band');
  band.title = `condition number ${SERVO_DECELERATE} to ${SERVO_HALT}: MoveIt Servo decelerates, then halts`;
  const from = barPosition(1 / SERVO_HALT), to = barPosition(1 / SERVO_DECELERATE);
  band.style.left = `${(from * 100).toFixed(2)}%`;
  band.style.width = `${((to - from) * 100).toFixed(2)}%`;
  container.append(band);
}

/** Numbers as the page prints them when they must equal the API's: shortest round-trip decimal. */
export function exact(values: readonly number[]): string {
  return values.map((v) => String(v)).join(' ');
}
