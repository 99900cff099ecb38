import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent } from 'discord.js';

export function paginate(lines: string[], maxChars = 3_800, maxLines = 15) {
  const pages: string[][] = [];
  let page: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (page.length > 0 && (size + line.length + 1 > maxChars || page.length >= maxLines)) {
      pages.push(page);
      page = [];
      size = 0;
    }
    page.push(line);
    size += line.length + 1;
  }
  if (page.length > 0) pages.push(page);
  return pages;
}

export function pageButtons(
  page: number,
  pageCount: number,
  customIdFor: (page: number) => string,
): APIActionRowComponent<APIButtonComponent>[] {
  if (pageCount <= 1) return [];
  const button = (label: string, target: number, disabled: boolean) => ({
    type: ComponentType.Button as const,
    style: ButtonStyle.Secondary as const,
    label,
    custom_id: customIdFor(target),
    disabled,
  });
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        button('Previous', page - 1, page <= 0),
        button(`Page ${page + 1} of ${pageCount}`, page, true),
        button('Next', page + 1, page >= pageCount - 1),
      ],
    },
  ];
}
