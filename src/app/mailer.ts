import nodemailer, { type Transporter } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";

/**
 * Mail from the newsroom: moderators told of held comments, commenters told of replies, and the
 * links of a commenter's export or erasure request. Sent over SMTP by nodemailer, configured by
 * the environment:
 *
 *   PARLEY_SMTP_URL   smtp://user:pass@host:587 (STARTTLS when the server offers it) or
 *                     smtps://user:pass@host:465 (TLS from the start)
 *   PARLEY_MAIL_FROM  the sender, e.g. "Parley newsroom <newsroom@example.org>"
 *
 * Without PARLEY_SMTP_URL there is no mailer (Mailer.fromEnv gives null) and the comments
 * service skips each mail, saying so in the log. Every message is plain text: nothing in it
 * runs, and nothing in it loads from anywhere.
 */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  headers?: Record<string, string>;
}

/** What the comments service needs of a mailer (tests may stand in their own). */
export interface MailSender {
  send(mail: Mail): Promise<void>;
}

export class Mailer implements MailSender {
  private readonly transport: Transporter<SMTPTransport.SentMessageInfo>;
  private readonly from: string;

  constructor(opts: { url: string; from: string }) {
    const url = parseSmtpUrl(opts.url);
    this.transport = nodemailer.createTransport({
      host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: url.port ? Number(url.port) : url.protocol === "smtps:" ? 465 : 587,
      secure: url.protocol === "smtps:",
      ...(url.username
        ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
        : {}),
      // A mail server that stalls must not hold a send forever; the comment was saved anyway.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    this.from = opts.from;
  }

  /** The mailer the environment configures, or null when PARLEY_SMTP_URL is not set. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): Mailer | null {
    const url = env.PARLEY_SMTP_URL?.trim();
    if (!url) return null;
    const from = env.PARLEY_MAIL_FROM?.trim();
    // A half-made configuration is a mistake to report at start, not a reason to mail as nobody.
    if (!from) throw new Error("PARLEY_SMTP_URL is set but PARLEY_MAIL_FROM is not: set the sender too");
    return new Mailer({ url, from });
  }

  async send(mail: Mail): Promise<void> {
    await this.transport.sendMail({
      from: this.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      ...(mail.headers ? { headers: mail.headers } : {}),
    });
  }

  close(): void {
    this.transport.close();
  }
}

function parseSmtpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // The URL may hold a password: it is not repeated in the message.
    throw new Error("PARLEY_SMTP_URL is not a URL (smtp://user:pass@host:587)");
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") {
    throw new Error("PARLEY_SMTP_URL must start with smtp:// or smtps://");
  }
  if (!url.hostname) throw new Error("PARLEY_SMTP_URL names no host");
  return url;
}

/** Text quoted from a comment, cut to what a mail needs to tell what it is about. */
function quote(text: string, max = 1_500): string {
  const cut = text.length > max ? `${text.slice(0, max).trimEnd()} […]` : text;
  return cut
    .split("\n")
    .map((line) => `> ${line}`)
    .join("\n");
}

export interface HeldCommentNotice {
  to: string;
  postTitle: string;
  commenterName: string;
  text: string;
  reasons: readonly string[];
  /** The moderation queue. */
  queueUrl: string;
}

/** To a moderator of the post's organization: a comment waits for them. */
export function heldCommentMail(n: HeldCommentNotice): Mail {
  const why = n.reasons.length > 0 ? `Held because: ${n.reasons.join("; ")}.\n\n` : "";
  return {
    to: n.to,
    subject: `A comment awaits moderation: ${n.postTitle}`,
    text:
      `${n.commenterName} commented on "${n.postTitle}":\n\n${quote(n.text)}\n\n${why}` +
      `Approve, edit or remove it in the moderation queue:\n${n.queueUrl}\n`,
  };
}

export interface ReplyNotice {
  to: string;
  postTitle: string;
  replierName: string;
  text: string;
  /** The reply on the post's page. */
  commentUrl: string;
  /** The one-click unsubscribe address (RFC 8058): a POST there stops these mails. */
  unsubscribeUrl: string;
  /** The page where a person unsubscribes with a button (a GET must never unsubscribe: link scanners follow links). */
  unsubscribePageUrl: string;
}

/** To a commenter who asked to hear of replies, once a reply is approved. */
export function replyMail(n: ReplyNotice): Mail {
  return {
    to: n.to,
    subject: `${n.replierName} replied to your comment: ${n.postTitle}`,
    text:
      `${n.replierName} replied to your comment on "${n.postTitle}":\n\n${quote(n.text)}\n\n` +
      `Read it and answer:\n${n.commentUrl}\n\n` +
      `You get this mail because you asked to hear of replies to that comment. To stop:\n${n.unsubscribePageUrl}\n`,
    headers: {
      "List-Unsubscribe": `<${n.unsubscribeUrl}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
  };
}

export interface PrivacyLinkNotice {
  to: string;
  kind: "export" | "erase";
  url: string;
  validHours: number;
}

/** The link a commenter asked for: a copy of their comments, or their erasure. */
export function privacyLinkMail(n: PrivacyLinkNotice): Mail {
  const what =
    n.kind === "export"
      ? "To download a copy of the comments you left with this address, open:"
      : "To erase the comments you left with this address (their text, your name and this address), open:";
  return {
    to: n.to,
    subject: n.kind === "export" ? "A copy of your comments" : "Erasing your comments",
    text:
      `Someone, most likely you, asked for this.\n\n${what}\n${n.url}\n\n` +
      `The link works for ${n.validHours} hours. If you did not ask, ignore this mail: nothing happens without the link.\n`,
  };
}
