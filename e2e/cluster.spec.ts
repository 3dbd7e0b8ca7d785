/// <reference lib="dom" />
// "Run on cluster…": the dialog gives the submit command for the open volume with the batch
// scripts it would submit (the CLI's --dry-run), and a result not there yet is a warning with
// "Check again".
import { expect, test } from './support/test';
import { openSample } from './support/viewer';

test('the cluster dialog shows the submit command for the volume and the job array script', async ({ page }) => {
  await openSample(page);
  const path = (await page.getByTestId('status').textContent())!.trim();
  expect(path).toMatch(/bone_128x128x128\.tif$/);

  await page.getByTestId('run-on-cluster').click();
  const dialog = page.getByTestId('cluster-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('cluster-tasks').fill('4');
  await dialog.getByTestId('cluster-partition').fill('main');
  await dialog.getByTestId('cluster-time').fill('2:00:00');

  const command = dialog.getByTestId('cluster-command');
  await expect(command).toContainText('npx tomoseg cluster submit');
  await expect(command).toContainText(`--image ${path}`);
  await expect(command).toContainText('--tasks 4 --partition main --time 2:00:00');
  await expect(command).toContainText(/--model \S+\.model\.json --out \S+\.seg\.zarr/);
  const script = dialog.getByTestId('cluster-script');
  await expect(script).toContainText('#SBATCH --array=1-4');
  await expect(script).toContainText('#SBATCH --partition=main');
  await expect(script).toContainText(path);

  // No model trained: saving one is refused, saying what to do.
  await expect(dialog.getByTestId('cluster-model-state')).toContainText('No model yet');
  await dialog.getByTestId('cluster-save-model').click();
  await expect(dialog.getByTestId('cluster-message')).toHaveAttribute('data-kind', 'error');
  await expect(dialog.getByTestId('cluster-message-text')).toContainText('no model yet');

  // The result is not there yet: a warning, and the button asks again.
  await dialog.getByTestId('cluster-open-result').click();
  await expect(dialog.getByTestId('cluster-message')).toHaveAttribute('data-kind', 'warning');
  await expect(dialog.getByTestId('cluster-message-text')).toContainText('does not exist yet');
  await dialog.getByTestId('cluster-check-again').click();
  await expect(dialog.getByTestId('cluster-message-text')).toContainText('does not exist yet');

  await dialog.getByTestId('cluster-close').click();
  await expect(dialog).toBeHidden();
});
