/**
 * A resident's poster (扫码上报, issue 15) drawn on a canvas at 150 dpi A4 — the place, the QR code of its report
 * link and the instructions — and its JPEG, for the posters' PDF file (web/domain/pdf.ts). Text is drawn with
 * the system's own CJK fonts (nothing fetched); the QR code is drawn module by module from its matrix.
 */
import QRCode from 'qrcode'
import type { PdfImagePage } from './pdf.ts'

/** What a poster shows. */
export interface PosterContent {
  communityName: string
  name: string
  compoundName: string | null
  code: string
  reportUrl: string
}

/** A4 at 150 dpi. */
export const POSTER_PX = { width: 1240, height: 1754 } as const

const FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif'

/** The instructions, as the printed poster (web/views/PrintPostersView.vue) has them. */
export const POSTER_STEPS = [
  '用微信或手机相机扫描上方二维码',
  '选择“隐患”或“居民诉求”，写明情况，可拍照',
  '提交后保存查询链接，随时查看办理进度和答复',
  '办结后请评价：满意 / 基本满意 / 不满意（不满意将重新核查）',
] as const

/** Draw `text` centred at `y`, shrinking the font until it fits `maxWidth`. */
function centred(ctx: CanvasRenderingContext2D, text: string, y: number, px: number, weight: string, color: string, maxWidth: number): void {
  let size = px
  ctx.fillStyle = color
  do {
    ctx.font = `${weight} ${size}px ${FONT}`
    if (ctx.measureText(text).width <= maxWidth) break
    size -= 2
  } while (size > 12)
  ctx.textAlign = 'center'
  ctx.fillText(text, POSTER_PX.width / 2, y)
}

/** Draw one poster on `canvas` (resized to A4 at 150 dpi). */
export function drawPoster(canvas: HTMLCanvasElement, p: PosterContent): void {
  canvas.width = POSTER_PX.width
  canvas.height = POSTER_PX.height
  const ctx = canvas.getContext('2d')
  if (!ctx) throw new Error('No 2D canvas.')
  const W = POSTER_PX.width
  const margin = 110
  ctx.fillStyle = '#ffffff'
  ctx.fillRect(0, 0, W, POSTER_PX.height)
  ctx.textBaseline = 'alphabetic'
  // A band at the top, in the colour of the call.
  ctx.fillStyle = '#c2410c'
  ctx.fillRect(0, 0, W, 24)
  centred(ctx, p.communityName, 150, 40, '400', '#475569', W - 2 * margin)
  centred(ctx, p.name, 250, 72, '700', '#111827', W - 2 * margin)
  if (p.compoundName) centred(ctx, `（${p.compoundName}）`, 320, 40, '400', '#111827', W - 2 * margin)
  centred(ctx, '扫码上报', 470, 128, '800', '#c2410c', W - 2 * margin)
  centred(ctx, '人人都是安全员 · 件件有回音', 545, 40, '400', '#b45309', W - 2 * margin)
  // The QR code: 580 px square with its quiet zone, dark modules drawn one by one.
  const qr = QRCode.create(p.reportUrl, { errorCorrectionLevel: 'M' })
  const n = qr.modules.size
  const quiet = 4
  const box = 580
  const cell = Math.floor(box / (n + 2 * quiet))
  const side = cell * (n + 2 * quiet)
  const x0 = Math.round((W - side) / 2)
  const y0 = 590
  ctx.fillStyle = '#ffffff'
  ctx.fillRect(x0, y0, side, side)
  ctx.fillStyle = '#000000'
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) if (qr.modules.get(r, c)) ctx.fillRect(x0 + (quiet + c) * cell, y0 + (quiet + r) * cell, cell, cell)
  }
  // The steps, numbered, left-aligned in a centred block.
  ctx.font = `400 34px ${FONT}`
  ctx.fillStyle = '#111827'
  ctx.textAlign = 'left'
  const lines = POSTER_STEPS.map((s, i) => `${i + 1}. ${s}`)
  const widest = Math.min(W - 2 * margin, Math.max(...lines.map((l) => ctx.measureText(l).width)))
  const left = Math.round((W - widest) / 2)
  let y = y0 + side + 90
  for (const line of lines) {
    ctx.fillText(line, left, y, W - 2 * margin)
    y += 62
  }
  centred(ctx, 'Scan to report a hazard or a request. Keep the link to follow it and rate the result.', y + 40, 24, '400', '#64748b', W - 2 * margin)
  centred(ctx, p.code, POSTER_PX.height - 90, 22, '400', '#94a3b8', W - 2 * margin)
}

/** The poster as a JPEG page (quality 0.85). */
export async function posterPage(canvas: HTMLCanvasElement, p: PosterContent): Promise<PdfImagePage> {
  drawPoster(canvas, p)
  const blob = await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The canvas gave no JPEG.'))), 'image/jpeg', 0.85))
  return { jpeg: new Uint8Array(await blob.arrayBuffer()), width: canvas.width, height: canvas.height }
}
