import { describe, expect, it } from "vitest";
import { fieldTitle } from "../../src/web/pages/record/fields.tsx";
import { blocksFrom } from "../../src/web/pages/record/pass-issues.tsx";
import {
  checkSubmission,
  type FormBody,
  instantToLocal,
  localToInstant,
  RECORD_TYPES,
  refusalErrors,
  slugify,
} from "../../src/web/record-form.ts";

const LA = { timeZone: "America/Los_Angeles", today: "2024-06-01" };

describe("datetime-local fields are wall-clock time in the dispute's zone", () => {
  it("converts both ways, summer and winter", () => {
    expect(localToInstant("2023-09-20T10:00", "America/Los_Angeles")).toBe("2023-09-20T17:00:00Z");
    expect(localToInstant("2023-12-20T10:00", "America/Los_Angeles")).toBe("2023-12-20T18:00:00Z");
    expect(instantToLocal("2023-05-02T07:01:00.000Z", "America/Los_Angeles")).toBe("2023-05-02T00:01");
  });

  it("refuses what is not a date and time", () => {
    for (const bad of [
      "",
      "yesterday",
      "2023-02-30T10:00",
      "2023-09-20T25:00",
      "2023-09-20T10:00Z",
      "2023-09-20",
    ]) {
      expect(localToInstant(bad, "America/Los_Angeles")).toBeNull();
    }
  });
});

describe("checkSubmission", () => {
  it("makes a pass of the filled blocks only, terms as decimal strings, and the time in UTC", () => {
    const body: FormBody = {
      kind: "counterproposal",
      visibility: "table",
      occurredAt: "2023-08-15T10:00",
      summary: "A package.\r\nTwo lines.",
      "issues.0.issue": "",
      "issues.0.language": "   ",
      "issues.1.issue": "wages",
      "issues.1.language": "Raise it.",
      "issues.1.terms.0.key": "",
      "issues.1.terms.1.key": "increase-year-1",
      "issues.1.terms.1.value": "5.5",
      "issues.1.terms.1.unit": "%",
      "issues.2.issue": "ai",
      "issues.2.language": "No AI.",
    };
    const r = checkSubmission("pass.made", body, LA);
    expect(r.ok).toBe(true);
    expect(r.submission.occurredAt).toBe("2023-08-15T17:00:00Z");
    expect(r.submission.payload).toEqual({
      kind: "counterproposal",
      summary: "A package.\nTwo lines.",
      issues: [
        {
          issue: "wages",
          language: "Raise it.",
          terms: [{ key: "increase-year-1", value: "5.5", unit: "%" }],
        },
        { issue: "ai", language: "No AI.", terms: [] },
      ],
    });
  });

  it("puts each schema message at the field the reader filled, past the blank rows", () => {
    const r = checkSubmission(
      "pass.made",
      {
        kind: "proposal",
        visibility: "table",
        "issues.0.issue": "",
        "issues.1.issue": "wages",
        "issues.1.language": "x",
        "issues.1.terms.0.key": "",
        "issues.1.terms.3.key": "Year One",
        "issues.1.terms.3.value": "1,5",
        "issues.1.terms.3.unit": "%",
      },
      LA,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byField = Object.fromEntries(r.errors.map((e) => [e.field, e.message]));
    expect(byField["issues.1.terms.3.key"]).toMatch(/lowercase letters/i);
    expect(byField["issues.1.terms.3.value"]).toMatch(/without thousands separators/);
  });

  it("a pass with no issue at all points at the first block", () => {
    const r = checkSubmission(
      "pass.made",
      { kind: "proposal", visibility: "table", "issues.0.issue": "" },
      LA,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toContainEqual({ field: "issues.0.issue", message: "Choose at least one." });
  });

  it("a term without its issue says the issue is missing", () => {
    const r = checkSubmission(
      "pass.made",
      {
        kind: "proposal",
        visibility: "table",
        "issues.4.terms.0.key": "k",
        "issues.4.terms.0.value": "1",
        "issues.4.terms.0.unit": "u",
      },
      LA,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.field)).toContain("issues.4.issue");
  });

  it("required fields left blank say so; optional ones are left out", () => {
    const r = checkSubmission(
      "statement.made",
      { visibility: "public", by: "wga-west", channel: "social", url: "" },
      LA,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([{ field: "text", message: "This is required." }]);
    expect(r.submission.payload).not.toHaveProperty("url");
  });

  it("a visibility that is not one of the four is refused at its field", () => {
    const r = checkSubmission("note.recorded", { visibility: "everyone", text: "hi" }, LA);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([{ field: "visibility", message: "Choose who may see it." }]);
  });

  it("a publication is public whatever the form says", () => {
    const r = checkSubmission("entry.published", { visibility: "private", entry: "12" }, LA);
    expect(r.ok).toBe(true);
    expect(r.submission.visibility).toBe("public");
    expect(r.submission.payload).toEqual({ entry: 12 });
  });

  it("whole numbers: workers with separators are read, words are refused at the field", () => {
    const ok = checkSubmission(
      "stoppage.started",
      {
        visibility: "public",
        kind: "strike",
        by: ["wga-west", "wga-east"],
        against: "amptp",
        start: "2023-05-02T00:01",
        workers: "11,500",
      },
      LA,
    );
    expect(ok.ok).toBe(true);
    expect(ok.submission.payload).toMatchObject({
      stoppage: "strike-2023-05-02",
      by: ["wga-west", "wga-east"],
      against: ["amptp"],
      start: "2023-05-02T07:01:00Z",
      workers: 11500,
    });
    const bad = checkSubmission(
      "stoppage.joined",
      { visibility: "public", stoppage: "s", org: "o", at: "2023-07-14T00:01", workers: "many" },
      LA,
    );
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors).toEqual([{ field: "workers", message: "Enter a whole number, such as 11500." }]);
  });

  it("a bad date and time is one message at its field", () => {
    const r = checkSubmission(
      "stoppage.ended",
      { visibility: "public", stoppage: "s", end: "2023-13-01T00:00" },
      LA,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([{ field: "end", message: "Enter a date and time, such as 2023-09-20T10:00." }]);
  });

  it("ids left blank are made from the words or the day", () => {
    expect(
      checkSubmission("issue.opened", { visibility: "table", title: "Health & pension plans" }, LA).submission
        .payload,
    ).toEqual({
      issue: "health-pension-plans",
      title: "Health & pension plans",
    });
    const scheduled = checkSubmission(
      "meeting.scheduled",
      {
        visibility: "table",
        kind: "table",
        meeting: "",
        newMeeting: "",
        start: "2024-06-03T10:00",
        end: "2024-06-03T12:00",
      },
      LA,
    );
    expect(scheduled.submission.payload.meeting).toBe("table-2024-06-03");
    expect(scheduled.submission.fieldOf(["meeting"])).toBe("newMeeting");
    const existing = checkSubmission(
      "meeting.scheduled",
      {
        visibility: "table",
        kind: "table",
        meeting: "m1",
        start: "2024-06-03T10:00",
        end: "2024-06-03T12:00",
      },
      LA,
    );
    expect(existing.submission.fieldOf(["meeting"])).toBe("meeting");
    expect(slugify("  ¡Señor!  ")).toBe("senor");
    expect(slugify("!!!")).toBeUndefined();
  });

  it("a countersignature without ticked issues covers the agreement's issues", () => {
    const r = checkSubmission(
      "ta.signed",
      { visibility: "table", countersigns: "40" },
      {
        ...LA,
        taIssues: (seq) => (seq === 40 ? ["wages", "ai"] : undefined),
      },
    );
    expect(r.ok).toBe(true);
    expect(r.submission.payload).toEqual({
      issues: ["wages", "ai"],
      wholeAgreement: false,
      countersigns: 40,
    });
  });

  it("an impact figure: decimals stay strings, its source nests", () => {
    const r = checkSubmission(
      "impact.reported",
      {
        visibility: "public",
        what: "Lost wages",
        value: "1400000000",
        unit: "USD",
        asOf: "2023-09-16",
        method: "An estimate.",
        "source.name": "IATSE",
        "source.url": "not a link",
      },
      LA,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([{ field: "source.url", message: "Enter a link starting with https://." }]);
    expect(r.submission.payload).toMatchObject({
      figure: "lost-wages",
      value: "1400000000",
      source: { name: "IATSE" },
    });
  });

  it("every form type reads an empty form without throwing and finds something missing", () => {
    for (const type of RECORD_TYPES) {
      const r = checkSubmission(type, {}, LA);
      if (type === "meeting.cancelled" || type === "note.recorded") expect(r.ok).toBe(false);
      expect(r.submission.type).toBe(type);
    }
  });
});

describe("refusalErrors: the app's refusals land at their field", () => {
  const pass = checkSubmission(
    "pass.made",
    {
      kind: "proposal",
      visibility: "table",
      "issues.2.issue": "wages",
      "issues.2.language": "a",
      "issues.5.issue": "ai",
      "issues.5.language": "b",
    },
    LA,
  ).submission;

  it("an unknown or closed issue in a package points at its block", () => {
    expect(
      refusalErrors(pass, { code: "ISSUE_CLOSED", message: "closed", details: { issue: "ai" } }),
    ).toEqual([{ field: "issues.5.issue", message: "closed" }]);
  });

  it("the domain's schema paths are mapped the same way", () => {
    const err = {
      code: "VALIDATION_FAILED",
      message: "x",
      details: { issues: [{ path: "payload.issues.1.language", message: "too long" }] },
    };
    expect(refusalErrors(pass, err)).toEqual([{ field: "issues.5.language", message: "too long" }]);
  });

  it("the future, conflicts and rules without a field", () => {
    expect(refusalErrors(pass, { code: "OCCURRED_IN_FUTURE", message: "m" })[0]!.field).toBe("occurredAt");
    const note = checkSubmission(
      "note.recorded",
      { visibility: "private", text: "t", meeting: "m" },
      LA,
    ).submission;
    expect(refusalErrors(note, { code: "MEETING_UNKNOWN", message: "unknown meeting m" })).toEqual([
      { field: "meeting", message: "unknown meeting m" },
    ]);
    expect(refusalErrors(note, { code: "ORG_NOT_A_PARTY", message: "no seat" })).toEqual([
      { field: null, message: "no seat" },
    ]);
  });

  it("a proposed time that ends before it starts points at that row", () => {
    const req = checkSubmission(
      "meeting.requested",
      {
        visibility: "table",
        kind: "table",
        purpose: "p",
        "proposedTimes.0.start": "2024-06-03T10:00",
        "proposedTimes.0.end": "2024-06-03T12:00",
        "proposedTimes.2.start": "2024-06-04T10:00",
        "proposedTimes.2.end": "2024-06-04T09:00",
      },
      LA,
    ).submission;
    expect(refusalErrors(req, { code: "MEETING_ENDS_BEFORE_START", message: "m" })[0]!.field).toBe(
      "proposedTimes.2.end",
    );
  });
});

describe("the pass blocks", () => {
  it("without JavaScript: the filled blocks, then blank ones, each with spare term rows", () => {
    const blocks = blocksFrom(
      {
        "issues.0.issue": "wages",
        "issues.0.terms.0.key": "a",
        "issues.0.terms.1.key": "",
        "issues.1.issue": "",
      },
      { minBlocks: 3, minTerms: 3 },
    );
    expect(blocks.map((b) => b.n)).toEqual([0, 2, 3]);
    expect(blocks[0]!.terms.map((t) => t.n)).toEqual([0, 1, 2]);
    expect(blocks[1]!.terms).toHaveLength(3);
    // Always one blank block more than the filled ones.
    const many = blocksFrom(Object.fromEntries([0, 1, 2, 3].map((i) => [`issues.${i}.issue`, "x"])), {
      minBlocks: 3,
      minTerms: 1,
    });
    expect(many).toHaveLength(5);
  });

  it("field titles for the error summary", () => {
    expect(fieldTitle("issues.1.terms.0.value")).toBe("Issue 2, term 1: value");
    expect(fieldTitle("occurredAt")).toBe("When it happened");
    expect(fieldTitle("source.url")).toBe("Source: link");
  });
});
