import { z } from 'zod';

/**
 * Retention rules (gallringsregler): which records may be disposed of, and when. A rule applies to a record whose
 * metadata names it (`retentionRule` in record.json), else to one that matches every selector it gives
 * (classification, record type, job); the first such rule in the list wins. The period counts from a date of the
 * record's metadata. Rules only make `bevara disposal plan` propose; nothing is deleted without a second person's
 * `bevara disposal approve`.
 */
const retentionRule = z
  .object({
    /** Stable id, cited by proposals, tombstones and certificates (e.g. the decision's reference). */
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/, 'letters, digits and . _ : / -'),
    /** Classification code; also matches every code below it (`3.1` matches `3.1.2`). */
    classification: z.string().min(1).optional(),
    /** Record type, as `recordType` in record.json, exactly. */
    recordType: z.string().min(1).optional(),
    /** Jobs whose records the rule covers (the per-job retention). */
    jobs: z.array(z.string().min(1)).min(1).optional(),
    /** The metadata date the period counts from. */
    from: z.enum(['created', 'start', 'end']).default('end'),
    /** Retention period: a number and a unit, years, months or days (`10y`, `18m`, `90d`). */
    retain: z.string().regex(/^\d{1,4}[ymd]$/, 'a number and y, m or d, e.g. 10y'),
    /** `dispose`: proposed for destruction once due; `review`: proposed for a person's appraisal only. */
    action: z.enum(['dispose', 'review']).default('dispose'),
    /** The decision the rule rests on (gallringsbeslut), for the certificate. */
    decision: z.string().min(1).optional(),
    /**
     * Keep a disposed package's file list (paths, sizes, digests, formats) in the catalog. Default false: file
     * names can themselves be the information a disposal destroys (a name, a diagnosis, a case), so they go
     * with the copies; the tombstone keeps the package's label, identifier, dates, digest and number of files.
     * `true` where the decision says the list is to be kept as documentation of what was destroyed.
     */
    keepFileList: z.boolean().default(false),
  })
  .strict();

export type RetentionRule = z.infer<typeof retentionRule>;

export const retentionSchema = z
  .object({ rules: z.array(retentionRule).default([]) })
  .strict()
  .superRefine((value, issue) => {
    const seen = new Set<string>();
    value.rules.forEach((rule, index) => {
      if (seen.has(rule.id))
        issue.addIssue({
          code: 'custom',
          path: ['rules', index, 'id'],
          message: `rule id "${rule.id}" is used twice`,
        });
      seen.add(rule.id);
    });
  })
  .default({ rules: [] });
