import { AppInstance } from './app-instance';
import { SignedIn, signedInAgent } from './signed-in-agent';

/**
 * Signs up a fresh user, makes it an admin through the instance's own users service, and signs in:
 * the agent may call the admin routes (product writes, reports, the user list).
 */
export async function adminAgent(instance: AppInstance, name = 'Test Admin'): Promise<SignedIn> {
  return signedInAgent(instance.url, name);
}
