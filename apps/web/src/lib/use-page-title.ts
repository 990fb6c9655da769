import { useEffect } from "react";

/** The browser tab says which page this is (and screen readers announce it on navigation). */
export function usePageTitle(title: string | undefined): void {
  useEffect(() => {
    document.title = title ? `${title} · Crondeck` : "Crondeck";
  }, [title]);
}
