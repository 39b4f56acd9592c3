/** (being built) */
export function mount(_el: HTMLElement, _props: unknown): void {}
