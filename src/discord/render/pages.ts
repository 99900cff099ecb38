import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent } from 'discord.js';

/** Splits lines into pages that fit an embed description, never breaking a line. */
export function paginate(lines: string[], maxChars = 3_800, maxLines = 15): string[][] {
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

/** Previous / next buttons; `customIdFor(page)` names the page each one opens. */
export function pageButtons(
  page: number,
  pageCount: number,
  customIdFor: (page: number) => string,
): APIActionRowComponent<APIButtonComponent>[] {
  if (pageCount <= 1) return [];
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.Button,
          style: ButtonStyle.Secondary,
          label: 'Previous',
          custom_id: customIdFor(page - 1),
          disabled: page <= 0,
        },
        {
          type: ComponentType.Button,
          style: ButtonStyle.Secondary,
          label: `Page ${page + 1} of ${pageCount}`,
          custom_id: customIdFor(page),
          disabled: true,
        },
        {
          type: ComponentType.Button,
          style: ButtonStyle.Secondary,
          label: 'Next',
          custom_id: customIdFor(page + 1),
          disabled: page >= pageCount - 1,
        },
      ],
    },
  ];
}
