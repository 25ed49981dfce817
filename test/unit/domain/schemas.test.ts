import { parseContactForm, parseContingentsForm, parsePasswordForm, parseStartForm, parseVerifySkipForm } from '../../../src/app/forms';
import { channelCodeSchema, contactNumberSchema, contingentIdsSchema, institutionCodeSchema } from '../../../src/domain/schemas';

const good = {
  institution_code: ' acme ',
  institution_name: 'Acme Theatre',
  channel_code: '',
  digitick_contact_name: 'Dana',
  digitick_contact_email: 'dana@digitick.example',
  language: '',
};

describe('input schemas (rules of secutix-api.md)', () => {
  it('institution code: 2 to 15 letters or digits, upper-cased', () => {
    expect(institutionCodeSchema.parse(' acme1 ')).toBe('ACME1');
    for (const bad of ['A', 'ACME_DGTK', 'AC ME', 'ÀCME', 'A'.repeat(16), '', 'ACME\u0000']) {
      expect(institutionCodeSchema.safeParse(bad).success).toBe(false);
    }
  });

  it('channel code: default DGTK, 1 to 8 letters or digits', () => {
    expect(channelCodeSchema.parse('')).toBe('DGTK');
    expect(channelCodeSchema.parse(undefined)).toBe('DGTK');
    expect(channelCodeSchema.parse('dg2')).toBe('DG2');
    for (const bad of ['DIGITICK1', 'DG-K', 'DG K']) expect(channelCodeSchema.safeParse(bad).success).toBe(false);
  });

  it('contact number: 1 to 20 letters, digits, dashes', () => {
    expect(contactNumberSchema.parse('000-123')).toBe('000-123');
    for (const bad of ['', '0'.repeat(21), '00 123', '00_1']) expect(contactNumberSchema.safeParse(bad).success).toBe(false);
  });

  it('contingent ids: positive integers, any separator, duplicates dropped, 1 to 50', () => {
    expect(contingentIdsSchema.parse('11, 12\n12 13;11')).toEqual([11, 12, 13]);
    const tooMany = Array.from({ length: 51 }, (_, i) => i + 1).join(',');
    for (const bad of ['', ' , ', '0', '-1', '1.5', 'abc', '11,x', tooMany, '99999999999999999']) {
      expect(contingentIdsSchema.safeParse(bad).success).toBe(false);
    }
    expect(contingentIdsSchema.parse(Array.from({ length: 50 }, (_, i) => i + 1).join(' '))).toHaveLength(50);
  });
});

describe('forms: field errors keyed by input id, as message keys', () => {
  it('start form: defaults for channel code and language', () => {
    const r = parseStartForm(good, 'fr');
    expect(r).toEqual({
      ok: true,
      value: {
        institutionCode: 'ACME',
        institutionName: 'Acme Theatre',
        channelCode: 'DGTK',
        digitickContactName: 'Dana',
        digitickContactEmail: 'dana@digitick.example',
        language: 'fr',
      },
    });
  });

  it('start form: every wrong field is named, and only those', () => {
    const r = parseStartForm(
      { ...good, institution_code: 'A', digitick_contact_email: 'not-an-email', language: 'es', institution_name: '  ' },
      'en',
    );
    expect(r).toEqual({
      ok: false,
      errors: {
        institution_code: 'error.field.institution_code',
        institution_name: 'error.field.required',
        digitick_contact_email: 'error.field.email',
        language: 'error.field.language',
      },
    });
  });

  it('start form: missing fields are required', () => {
    const r = parseStartForm({}, 'en');
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(Object.keys(r.errors).sort()).toEqual([
        'digitick_contact_email',
        'digitick_contact_name',
        'institution_code',
        'institution_name',
      ]);
  });

  it('step forms', () => {
    expect(parseContingentsForm({ contingent_ids: '11 12' })).toEqual({ ok: true, value: [11, 12] });
    expect(parseContingentsForm({ contingent_ids: 'eleven' })).toEqual({
      ok: false,
      errors: { contingent_ids: 'error.field.contingent_ids' },
    });
    expect(parseContingentsForm({})).toEqual({ ok: false, errors: { contingent_ids: 'error.field.required' } });
    expect(parseContactForm({ contact_number: '' })).toEqual({ ok: false, errors: { contact_number: 'error.field.required' } });
    expect(parseContactForm({ contact_number: '000123' })).toEqual({ ok: true, value: '000123' });
    expect(parsePasswordForm({ operator_password: ' pass word ' })).toEqual({ ok: true, value: ' pass word ' });
    expect(parsePasswordForm({ operator_password: '' })).toEqual({ ok: false, errors: { operator_password: 'error.field.required' } });
    expect(parseVerifySkipForm({ skip_reason: 'no' })).toEqual({ ok: false, errors: { skip_reason: 'error.field.skip_reason' } });
  });
});
