// Drawing a frame from the worker on the page's canvas: classic control as the RGBA image Gymnasium's renderer
// draws; toy text as its grid (heatmap of state values where the model has a Q-table, arrow of the greedy action in
// every state, the agent ringed), or, without a grid, the text frame beside a heatmap of the Q-table.
import type { Frame } from "./protocol.js";

type ToyFrame = Extract<Frame, { kind: "toy" }>;

/** Arrow glyph per action for the grid worlds (FrozenLake: left down right up; CliffWalking: up right down left). */
function arrows(envId: string): string[] | null {
  if (envId.startsWith("FrozenLake")) return ["←", "↓", "→", "↑"];
  if (envId.startsWith("CliffWalking")) return ["↑", "→", "↓", "←"];
  return null;
}

const CELL_COLORS: Record<string, string> = { H: "#1d2330", C: "#8f2d2d", G: "#2b8a3e", T: "#2b8a3e", S: "#dbe4ff" };

/** Blue (low) to yellow (high). */
function heat(v: number, lo: number, hi: number): string {
  const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
  const r = Math.round(40 + 215 * t);
  const g = Math.round(70 + 170 * t);
  const b = Math.round(160 - 120 * t);
  return `rgb(${r} ${g} ${b})`;
}

export function drawFrame(canvas: HTMLCanvasElement, frame: Frame): void {
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  if (frame.kind === "rgb") {
    if (canvas.width !== frame.width || canvas.height !== frame.height) {
      canvas.width = frame.width;
      canvas.height = frame.height;
    }
    ctx.putImageData(new ImageData(frame.rgba, frame.width, frame.height), 0, 0);
    return;
  }
  if (canvas.width !== 600 || canvas.height !== 400) {
    canvas.width = 600;
    canvas.height = 400;
  }
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (frame.cells !== null) drawGrid(ctx, frame, frame.cells);
  else drawTextAndTable(ctx, frame);
}

function drawGrid(ctx: CanvasRenderingContext2D, f: ToyFrame, cells: string[][]): void {
  const rows = cells.length;
  const cols = cells[0].length;
  const size = Math.floor(Math.min(580 / cols, 360 / rows));
  const x0 = Math.floor((600 - size * cols) / 2);
  const y0 = 8;
  const lo = f.values ? Math.min(...f.values) : 0;
  const hi = f.values ? Math.max(...f.values) : 1;
  const glyphs = arrows(f.envId);
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const s = r * cols + c;
      const letter = cells[r][c].toUpperCase();
      const x = x0 + c * size;
      const y = y0 + r * size;
      ctx.fillStyle = CELL_COLORS[letter] ?? (f.values ? heat(f.values[s], lo, hi) : "#e3e8f0");
      ctx.fillRect(x, y, size - 1, size - 1);
      if (letter === "H" || letter === "C" || letter === "G" || letter === "T") {
        ctx.fillStyle = "#fff";
        ctx.font = `${Math.floor(size * 0.35)}px system-ui`;
        ctx.fillText(letter, x + size / 2, y + size / 2);
        continue;
      }
      if (f.greedy.length === 0) continue; // no model yet: the map alone
      ctx.fillStyle = "#1d2330";
      ctx.font = `${Math.floor(size * 0.45)}px system-ui`;
      ctx.fillText(
        glyphs ? (glyphs[f.greedy[s]] ?? "?") : String(f.greedy[s]),
        x + size / 2,
        y + size / 2 - (f.values ? size * 0.1 : 0),
      );
      if (f.values) {
        ctx.font = `${Math.max(9, Math.floor(size * 0.18))}px system-ui`;
        ctx.fillText(f.values[s].toFixed(2), x + size / 2, y + size * 0.8);
      }
    }
  }
  if (f.state >= 0 && f.state < rows * cols) {
    const x = x0 + (f.state % cols) * size;
    const y = y0 + Math.floor(f.state / cols) * size;
    ctx.strokeStyle = "#f08c00";
    ctx.lineWidth = 4;
    ctx.strokeRect(x + 2, y + 2, size - 5, size - 5);
  }
  ctx.fillStyle = "#5b6372";
  ctx.font = "13px system-ui";
  ctx.textAlign = "left";
  ctx.fillText(
    `${f.values ? "colour: max_a Q(s, a); " : ""}arrow: greedy action; ring: agent; return ${f.episodeReturn.toFixed(1)}`,
    x0,
    Math.min(392, y0 + rows * size + 14),
  );
}

function drawTextAndTable(ctx: CanvasRenderingContext2D, f: ToyFrame): void {
  ctx.fillStyle = "#1d2330";
  ctx.font = "15px ui-monospace, monospace";
  ctx.textAlign = "left";
  ctx.textBaseline = "top";
  const lines = f.text.split("\n");
  lines.forEach((l, i) => {
    ctx.fillText(l, 10, 10 + i * 18);
  });
  ctx.fillText(`return ${f.episodeReturn.toFixed(1)}`, 10, 20 + lines.length * 18);
  if (f.q === null || f.nActions === 0) return;
  // Q-table heatmap: one row per state (compressed to the canvas height), one column per action
  const nStates = f.q.length / f.nActions;
  const x0 = 330;
  const w = Math.floor(250 / f.nActions);
  const h = 380 / nStates;
  const lo = Math.min(...f.q);
  const hi = Math.max(...f.q);
  for (let s = 0; s < nStates; s++) {
    for (let a = 0; a < f.nActions; a++) {
      ctx.fillStyle = heat(f.q[s * f.nActions + a], lo, hi);
      ctx.fillRect(x0 + a * w, 10 + s * h, w, Math.max(h, 1));
    }
  }
  if (f.state >= 0) {
    ctx.strokeStyle = "#f08c00";
    ctx.lineWidth = 2;
    ctx.strokeRect(x0 - 2, 10 + f.state * h - 1, w * f.nActions + 4, Math.max(h, 1) + 2);
  }
  ctx.fillStyle = "#5b6372";
  ctx.font = "12px system-ui";
  ctx.fillText("Q-table (states x actions)", x0, 392 - 12);
}
