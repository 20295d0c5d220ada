import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { InvalidInputError } from '../../schemas/errors.js';
import { LAYOUT_39, LAYOUT_45, layoutByName, matchHeader } from '../../schemas/layouts.js';
import { fixturesDir } from '../helpers/paths.js';

const HEADER_45 =
  'Header_Length,Protocol Type,Duration,Rate,Srate,Drate,fin_flag_number,syn_flag_number,' +
  'rst_flag_number,psh_flag_number,ack_flag_number,ece_flag_number,cwr_flag_number,ack_count,' +
  'syn_count,fin_count,rst_count,HTTP,HTTPS,DNS,Telnet,SMTP,SSH,IRC,TCP,UDP,DHCP,ARP,ICMP,IGMP,' +
  'IPv,LLC,Tot sum,Min,Max,AVG,Std,Tot size,IAT,Number,Magnitue,Radius,Covariance,Variance,Weight';

async function headerOf(file: string): Promise<string[]> {
  const text = await readFile(join(fixturesDir(), file), 'utf8');
  return (text.split('\n')[0] ?? '').split(',');
}

describe('CSV layouts', () => {
  it('hold the exact 45 column names of the original release', () => {
    assert.deepEqual(LAYOUT_45.columns, HEADER_45.split(','));
  });

  it('derive the 39-column layout: Duration renamed, six columns gone', () => {
    assert.equal(LAYOUT_39.columns.length, 39);
    assert.equal(LAYOUT_39.columns[2], 'Time_To_Live');
    for (const gone of [
      'Srate',
      'Drate',
      'Magnitue',
      'Radius',
      'Covariance',
      'Weight',
      'Duration',
    ]) {
      assert.ok(!LAYOUT_39.columns.includes(gone), gone);
    }
  });

  it('detect the 39-column layout of the real fixture files', async () => {
    for (const file of ['ARP_Spoofing_test.pcap.csv', 'Benign_test.pcap.csv']) {
      const match = matchHeader(await headerOf(file));
      assert.equal(match.layout.name, '39');
      assert.deepEqual(
        match.sourceIndex,
        LAYOUT_39.columns.map((_, i) => i),
      );
    }
  });

  it('detect the 45-column layout, tolerating a byte-order mark and spaces', () => {
    const cells = HEADER_45.split(',').map((c, i) => (i === 0 ? `\uFEFF${c}` : ` ${c} `));
    assert.equal(matchHeader(cells).layout.name, '45');
  });

  it('map columns given in another order', () => {
    const reversed = [...LAYOUT_39.columns].reverse();
    const match = matchHeader(reversed);
    assert.equal(match.sourceIndex[0], 38);
    assert.equal(match.sourceIndex[38], 0);
  });

  it('refuse the partial fixture, naming the missing columns', async () => {
    const header = await headerOf('partial45_ARP_Spoofing_train_head.csv');
    assert.throws(
      () => matchHeader(header, 'partial.csv'),
      (error: unknown) => {
        assert.ok(error instanceof InvalidInputError);
        assert.equal(error.code, 'LAYOUT_UNKNOWN');
        assert.match(error.message, /closest: 45-column/);
        assert.match(error.message, /missing columns: ack_flag_number, ece_flag_number/);
        assert.match(error.message, /Tot sum/);
        assert.doesNotMatch(error.message, /unexpected/);
        assert.equal((error.context.missing as string[]).length, 45 - 17);
        return true;
      },
    );
  });

  it('name unexpected and duplicated columns', () => {
    assert.throws(() => matchHeader([...LAYOUT_39.columns, 'Label']), /unexpected columns: Label/);
    assert.throws(
      () => matchHeader([...LAYOUT_39.columns.slice(1), 'Rate']),
      /missing columns: Header_Length; duplicated columns: Rate/,
    );
  });

  it('look layouts up by name and refuse unknown names', () => {
    assert.equal(layoutByName('45'), LAYOUT_45);
    assert.throws(() => layoutByName('46'), /unknown CSV layout "46"/);
  });
});
