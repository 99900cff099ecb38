import { UserError, quoteInput } from '../errors.js';

export interface PaperRef {
  kind: 'arxiv' | 'huggingface' | 'openreview' | 'doi' | 'url';
  id: string;
  url: string;
}

export const MAX_PAPER_INPUT = 500;

// New-style ids: YYMM.NNNN (to 2014) or YYMM.NNNNN (from 2015); old-style: archive(.SUB)/YYMMNNN.
const NEW_STYLE = /^(\d{2})(\d{2})\.(\d{4,5})(v\d+)?$/;
const OLD_STYLE = /^([a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?)\/(\d{7})(v\d+)?$/;
const DOI = /^10\.\d{4,9}\/\S+$/;

/** Without its version. */
export function parseArxivId(text: string) {
  const modern = NEW_STYLE.exec(text);
  if (modern) {
    const [, yy, mm, number] = modern;
    const month = Number(mm);
    const digits = Number(`${yy}${mm}`) >= 1501 ? 5 : 4;
    return month >= 1 && month <= 12 && number!.length === digits ? `${yy}${mm}.${number}` : null;
  }
  const old = OLD_STYLE.exec(text);
  return old ? `${old[1]}/${old[2]}` : null;
}

const arxivUrl = (id: string) => `https://arxiv.org/abs/${id}`;

/** An arXiv id or an https link; only links to the known sources get their metadata fetched. */
export function parsePaperRef(input: string): PaperRef {
  const text = input.trim();
  const invalid = (code: string, problem: string) => new UserError(code, `${quoteInput(text)} ${problem}`);
  if (text.length === 0)
    throw new UserError('paper-empty', 'Give an arXiv id (like `2408.03314`) or a link to the paper.');
  if (text.length > MAX_PAPER_INPUT)
    throw new UserError(
      'paper-too-long',
      `That is ${text.length} characters; a paper id or link is at most ${MAX_PAPER_INPUT}.`,
    );
  const arxivId = parseArxivId(text.replace(/^arxiv:/i, ''));
  if (arxivId) return { kind: 'arxiv', id: arxivId, url: arxivUrl(arxivId) };
  if (DOI.test(text)) return { kind: 'doi', id: text, url: `https://doi.org/${text}` };

  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid('paper-unrecognised', 'is not an arXiv id or a URL.');
  }
  if (url.protocol !== 'https:')
    throw new UserError('paper-not-https', `Only https links are accepted; ${quoteInput(text)} is not one.`);
  if (url.username || url.password)
    throw new UserError('paper-credentials', 'Links with a user name or password in them are not accepted.');
  const host = url.hostname.toLowerCase();
  if (isAddressLiteral(host) || host === 'localhost' || host.endsWith('.localhost') || !host.includes('.')) {
    throw new UserError(
      'paper-private-host',
      "Links to IP addresses or local hosts are not accepted; link to the paper's public page.",
    );
  }
  const path = url.pathname;
  const site = host.replace(/^www\./, '');
  if (site === 'arxiv.org') {
    const match = /^\/(?:abs|pdf|html)\/(.+?)(?:\.pdf)?\/?$/.exec(path);
    const id = match ? parseArxivId(match[1]!) : null;
    if (!id) throw invalid('paper-arxiv-path', 'does not point at an arXiv paper (expected arxiv.org/abs/<id>).');
    return { kind: 'arxiv', id, url: arxivUrl(id) };
  }
  if (site === 'huggingface.co') {
    const id = parseArxivId(/^\/papers\/([^/]+)\/?$/.exec(path)?.[1] ?? '');
    if (!id)
      throw invalid('paper-hf-path', 'is not a Hugging Face paper page (expected huggingface.co/papers/<arXiv id>).');
    return { kind: 'huggingface', id, url: `https://huggingface.co/papers/${id}` };
  }
  if (site === 'openreview.net') {
    const id = url.searchParams.get('id') ?? '';
    if (!/^(?:forum|pdf)\/?$/.test(path.slice(1)) || !/^[A-Za-z0-9_-]{5,40}$/.test(id))
      throw invalid('paper-openreview-path', 'is not an OpenReview paper (expected openreview.net/forum?id=<id>).');
    return { kind: 'openreview', id, url: `https://openreview.net/forum?id=${id}` };
  }
  if (host === 'doi.org' || host === 'dx.doi.org') {
    const doi = decodeURIComponent(path.slice(1));
    if (!DOI.test(doi)) throw invalid('paper-doi-path', 'does not hold a DOI (expected doi.org/10.<prefix>/<suffix>).');
    return { kind: 'doi', id: doi, url: `https://doi.org/${doi}` };
  }
  url.hash = '';
  return { kind: 'url', id: url.toString(), url: url.toString() };
}

/** An arXiv paper is one paper whether typed or linked via arXiv or Hugging Face. */
export function dedupKey(ref: PaperRef) {
  return ref.kind === 'huggingface' ? `arxiv:${ref.id}` : `${ref.kind}:${ref.id.toLowerCase()}`;
}

function isAddressLiteral(host: string) {
  return (
    /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[') || /^\d+$/.test(host) || /^0x[0-9a-f]+$/i.test(host)
  );
}
