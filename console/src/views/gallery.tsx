// The cover and the gallery: chosen from the library or uploaded; the gallery reordered by drag and drop,
// or by keyboard with the move buttons (and Alt+Arrow keys on an image).
import { useState } from "preact/hooks";
import type { Media, MediaLike } from "../api";
import { can, Perm } from "../api";
import { focusSoon, messages, say, Thumb, useId, useMe } from "../ui";
import type { FieldErrors } from "../api";
import { MediaPicker } from "./pickers";

type CoverProps = {
  value: MediaLike | null;
  onChange: (media: MediaLike | null) => void;
  disabled?: boolean;
  errors: FieldErrors;
  legend?: string;
  name?: string;
  anyFile?: boolean;
};

/** One media: a portfolio's cover, a link's image, a meta's file (``anyFile``). */
export function CoverPicker({ value, onChange, disabled, errors, legend = "Cover image", name = "image", anyFile }: CoverProps) {
  const [open, setOpen] = useState(false);
  const mayChoose = can(useMe(), Perm.MEDIA_VIEW); // the library needs 4101
  const noun = anyFile ? "file" : "image";
  const id = useId("cover");
  return (
    <fieldset class="picker cover" id={id}>
      <legend>{legend}</legend>
      <Thumb media={value} size={128} />
      <p>{value ? value.name : `No ${noun}`}</p>
      {!disabled && (
        <p class="actions">
          {mayChoose && (
            <button type="button" onClick={() => setOpen(true)}>
              {value ? `Change ${legend.toLowerCase()}` : `Choose ${legend.toLowerCase()}`}
            </button>
          )}
          {value && (
            <button type="button" class="quiet" onClick={() => (onChange(null), say(`${legend} removed.`), focusSoon(`#${id} button`))}>
              Remove {legend.toLowerCase()}
            </button>
          )}
        </p>
      )}
      <ul class="errors" data-field={name}>
        {messages(errors, name).map((text) => (
          <li>{text}</li>
        ))}
      </ul>
      <MediaPicker open={open} anyFile={anyFile} onClose={() => setOpen(false)} onPick={([media]) => onChange(media)} />
    </fieldset>
  );
}

export function Gallery({ value, onChange, disabled, errors }: { value: Media[]; onChange: (media: Media[]) => void; disabled?: boolean; errors: FieldErrors }) {
  const [open, setOpen] = useState(false);
  const mayChoose = can(useMe(), Perm.MEDIA_VIEW);
  const [dragged, setDragged] = useState<number | null>(null);

  function remove(index: number) {
    const next = value.filter((_, i) => i !== index);
    onChange(next);
    say(`${value[index].name} removed from the gallery.`);
    const neighbour = next[Math.min(index, next.length - 1)];
    focusSoon(neighbour ? `#gallery-${neighbour.id}` : ".gallery > button");
  }

  function move(from: number, to: number) {
    if (to < 0 || to >= value.length || from === to) return;
    const next = [...value];
    const [item] = next.splice(from, 1);
    next.splice(to, 0, item);
    onChange(next);
    say(`${item.name} moved to position ${to + 1} of ${next.length}.`);
    requestAnimationFrame(() => document.getElementById(`gallery-${item.id}`)?.focus());
  }

  return (
    <fieldset class="picker gallery">
      <legend>Gallery</legend>
      {!disabled && <p class="hint">Drag an image to reorder, or focus it and press Alt+Arrow keys, or use its buttons.</p>}
      <ol class="gallery-list">
        {value.map((media, index) => (
          <li
            id={`gallery-${media.id}`}
            tabIndex={disabled ? undefined : 0}
            aria-label={`${media.name}, image ${index + 1} of ${value.length}`}
            draggable={!disabled}
            class={dragged === index ? "dragging" : undefined}
            onDragStart={(event) => {
              setDragged(index);
              event.dataTransfer?.setData("text/plain", String(index));
            }}
            onDragEnd={() => setDragged(null)}
            onDragOver={(event) => event.preventDefault()}
            onDrop={(event) => {
              event.preventDefault();
              if (dragged !== null) move(dragged, index);
              setDragged(null);
            }}
            onKeyDown={(event) => {
              const step = { ArrowLeft: -1, ArrowUp: -1, ArrowRight: 1, ArrowDown: 1 }[event.key];
              if (!event.altKey || !step || disabled) return;
              event.preventDefault(); // Alt+Left is also the browser's Back: never leave with unsaved edits
              move(index, index + step);
            }}
          >
            <Thumb media={media} />
            <span class="name">{media.name}</span>
            {!disabled && (
              <span class="actions">
                <button type="button" class="quiet" disabled={index === 0} onClick={() => move(index, index - 1)} aria-label={`Move ${media.name} earlier`}>
                  ←
                </button>
                <button type="button" class="quiet" disabled={index === value.length - 1} onClick={() => move(index, index + 1)} aria-label={`Move ${media.name} later`}>
                  →
                </button>
                <button type="button" class="quiet" onClick={() => remove(index)} aria-label={`Remove ${media.name} from the gallery`}>
                  ×
                </button>
              </span>
            )}
          </li>
        ))}
      </ol>
      {value.length === 0 && <p>The gallery is empty.</p>}
      {!disabled && mayChoose && (
        <button type="button" onClick={() => setOpen(true)}>
          Add images
        </button>
      )}
      <ul class="errors" data-field="images">
        {messages(errors, "images").map((text) => (
          <li>{text}</li>
        ))}
      </ul>
      <MediaPicker
        open={open}
        multiple
        onClose={() => setOpen(false)}
        onPick={(picked) => onChange([...value, ...picked.filter((media) => !value.some((m) => m.id === media.id))])}
      />
    </fieldset>
  );
}
