// Responsive images in the library: a media's variants state with a retry, and its focal point, set by a
// click on the picture or by keyboard, with a live preview of the crops it will make.
import { useState } from "preact/hooks";
import { api, can, must, Perm, type Media } from "../api";
import { Dialog, fieldErrors, messages, say, sayError, useMe } from "../ui";

/** The named crops of the contract, as the preview shows them. */
const CROPS: [string, number][] = [
  ["square", 1],
  ["card", 4 / 3],
  ["wide", 16 / 9],
  ["og", 1200 / 630],
];

const STATUS: Record<string, string> = {
  pending: "Variants are being made…",
  ready: "Variants ready",
  failed: "Making the variants failed",
};

export function VariantsStatus({ media, onChanged }: { media: Media; onChanged: () => void }) {
  const me = useMe();
  if (media.variants_status === "none") return null;
  async function retry() {
    try {
      await must(api.POST("/api/media/{media_id}/variants", { params: { path: { media_id: media.id } } }));
      say(`The variants of ${media.name} are queued again.`);
      onChanged();
    } catch (error) {
      sayError(error);
    }
  }
  return (
    <p class={`variants-status ${media.variants_status}`}>
      {STATUS[media.variants_status]}
      {media.variants_status === "ready" && ` (${media.variants.length})`}
      {media.variants_status === "failed" && can(me, Perm.MEDIA_UPDATE) && (
        <button type="button" onClick={retry}>
          Retry
        </button>
      )}
    </p>
  );
}

export function FocalPoint({ media, onChanged }: { media: Media; onChanged: () => void }) {
  const [open, setOpen] = useState(false);
  const [point, setPoint] = useState(media.focal_point);
  const [errors, setErrors] = useState<Record<string, unknown>>({});
  const picture = media.thumbnails.find((t) => t.size >= 512) ?? media.thumbnails.at(-1);
  if (!picture) return null;

  const clamp = (value: number) => Math.min(1, Math.max(0, Math.round(value * 1000) / 1000));
  async function save() {
    try {
      await must(api.PATCH("/api/media/{media_id}", { params: { path: { media_id: media.id } }, body: { focal_point: point } }));
      setOpen(false);
      say(`Focal point of ${media.name} saved: its crops are being made again.`);
      onChanged();
    } catch (error) {
      setErrors(fieldErrors(error));
      sayError(error);
    }
  }
  const percent = (name: "x" | "y", label: string) => (
    <label>
      {label} (%)
      <input
        type="number"
        min={0}
        max={100}
        step={1}
        value={Math.round(point[name] * 100)}
        onInput={(event) => setPoint({ ...point, [name]: clamp(Number(event.currentTarget.value) / 100) })}
      />
    </label>
  );

  return (
    <>
      <button type="button" onClick={() => (setPoint(media.focal_point), setOpen(true))}>
        Focal point
      </button>
      <Dialog title={`Focal point of ${media.name}`} open={open} onClose={() => setOpen(false)} wide>
        <p>Click where the subject is; crops keep it in frame. Or type its place below.</p>
        <div class="focal">
          <div class="focal-picture">
            <img
              src={picture.f}
              alt={media.alt || media.name}
              onClick={(event) => {
                const box = event.currentTarget.getBoundingClientRect();
                setPoint({ x: clamp((event.clientX - box.left) / box.width), y: clamp((event.clientY - box.top) / box.height) });
              }}
            />
            <span class="focal-marker" aria-hidden="true" style={{ left: `${point.x * 100}%`, top: `${point.y * 100}%` }} />
          </div>
          <div class="focal-crops" aria-label="How the crops will look">
            {CROPS.map(([name, ratio]) => (
              <figure>
                <img src={picture.f} alt="" style={{ aspectRatio: String(ratio), objectPosition: `${point.x * 100}% ${point.y * 100}%` }} />
                <figcaption>{name}</figcaption>
              </figure>
            ))}
          </div>
        </div>
        <div class="inline">
          {percent("x", "From the left")}
          {percent("y", "From the top")}
        </div>
        <ul class="errors" data-field="focal_point">
          {messages(errors as never, "focal_point").map((text) => (
            <li>{text}</li>
          ))}
        </ul>
        <footer>
          <button type="button" onClick={() => setOpen(false)}>
            Cancel
          </button>
          <button type="button" class="primary" onClick={save}>
            Save focal point
          </button>
        </footer>
      </Dialog>
    </>
  );
}
