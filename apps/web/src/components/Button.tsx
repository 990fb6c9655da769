import type { AnchorHTMLAttributes, ButtonHTMLAttributes } from "react";
import { Link, type LinkProps } from "../lib/router.tsx";

export type ButtonVariant = "primary" | "secondary" | "danger" | "ghost";

interface Styling {
  variant?: ButtonVariant;
  size?: "md" | "sm";
}

function classes({ variant = "secondary", size = "md" }: Styling, extra?: string): string {
  return ["btn", `btn-${variant}`, size === "sm" ? "btn-sm" : "", extra ?? ""].filter(Boolean).join(" ");
}

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement>, Styling {
  busy?: boolean;
}

/** A real <button>; `type` defaults to "button" so it never submits a form by accident. */
export function Button({ variant, size, busy, className, type = "button", disabled, children, ...rest }: ButtonProps) {
  return (
    <button
      type={type}
      className={classes({ variant, size }, className)}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      {...rest}
    >
      {children}
    </button>
  );
}

/** A link styled as a button, for navigation that looks like an action ("New task"). */
export function ButtonLink({ variant, size, className, ...rest }: LinkProps & Styling) {
  return <Link className={classes({ variant, size }, className)} {...rest} />;
}

/** A plain anchor styled as a button, for what the browser itself must fetch (a download). */
export function ButtonAnchor({ variant, size, className, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & Styling) {
  return <a className={classes({ variant, size }, className)} {...rest} />;
}
