import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  NotFoundException,
} from '@nestjs/common';
import { QueryFailedError, Repository } from 'typeorm';
import { SessionService } from '../session/session.service';
import { PasswordHasher } from './password-hasher';
import { UserEntity } from './user.entity';
import { UsersService } from './users.service';

const HASH = '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA';

const entity = (fields: Partial<UserEntity> = {}): UserEntity =>
  Object.assign(new UserEntity(), {
    id: '6b1b2c7e-1d4f-4a8e-9c1b-2f3e4d5c6b7a',
    email: 'ada@example.com',
    name: 'Ada',
    role: 'member',
    passwordHash: HASH,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-01-01T00:00:00Z'),
    ...fields,
  });

const uniqueViolation = () =>
  new QueryFailedError('INSERT', [], Object.assign(new Error('duplicate key'), { code: '23505' }));

describe(UsersService.name, () => {
  let sut: UsersService;
  let repository: {
    create: jest.Mock;
    save: jest.Mock;
    findAndCount: jest.Mock;
    findOneBy: jest.Mock;
    delete: jest.Mock;
    createQueryBuilder: jest.Mock;
  };
  let stored: UserEntity | null;
  let hasher: jest.Mocked<Pick<PasswordHasher, 'hash' | 'verify'>>;
  let sessions: jest.Mocked<Pick<SessionService, 'endAllOf'>>;

  beforeEach(() => {
    repository = {
      create: jest.fn((fields: Partial<UserEntity>) => entity(fields)),
      save: jest.fn((user: UserEntity) => Promise.resolve(user)),
      findAndCount: jest.fn(),
      findOneBy: jest.fn(),
      delete: jest.fn(),
      createQueryBuilder: jest.fn(() => {
        const query = {
          where: () => query,
          addSelect: () => query,
          getOne: () => Promise.resolve(stored),
        };
        return query;
      }),
    };
    stored = entity();
    hasher = {
      hash: jest.fn().mockResolvedValue(HASH),
      verify: jest.fn((hash: string, password: string) =>
        Promise.resolve(hash === HASH && password === 'the current one'),
      ),
    };
    sessions = { endAllOf: jest.fn().mockResolvedValue(undefined) };
    sut = new UsersService(
      repository as unknown as Repository<UserEntity>,
      hasher as unknown as PasswordHasher,
      sessions as unknown as SessionService,
    );
  });

  describe('create', () => {
    it('stores the email lower-cased and the hash, and answers no password or hash', async () => {
      const user = await sut.create({
        email: 'Ada@Example.COM',
        name: 'Ada',
        password: 'analytical engine',
      });
      expect(hasher.hash).toHaveBeenCalledWith('analytical engine');
      expect(repository.create).toHaveBeenCalledWith({
        email: 'ada@example.com',
        name: 'Ada',
        passwordHash: HASH,
      });
      expect(Object.keys(user).sort()).toEqual([
        'createdAt',
        'email',
        'id',
        'name',
        'role',
        'updatedAt',
      ]);
      expect(JSON.stringify(user)).not.toContain('analytical engine');
    });

    it('turns a unique violation on the email into 409 Conflict', async () => {
      repository.save.mockRejectedValue(uniqueViolation());
      await expect(
        sut.create({ email: 'ada@example.com', name: 'Ada', password: 'password' }),
      ).rejects.toBeInstanceOf(ConflictException);
    });

    it('lets any other database error through unchanged', async () => {
      const failure = new Error('connection lost');
      repository.save.mockRejectedValue(failure);
      await expect(
        sut.create({ email: 'ada@example.com', name: 'Ada', password: 'password' }),
      ).rejects.toBe(failure);
    });
  });

  describe('list', () => {
    it('skips (page - 1) × limit rows, newest first, and answers page, limit and total', async () => {
      repository.findAndCount.mockResolvedValue([[entity()], 41]);
      const page = await sut.list({ page: 3, limit: 20 });
      expect(repository.findAndCount).toHaveBeenCalledWith({
        order: { createdAt: 'DESC', id: 'ASC' },
        skip: 40,
        take: 20,
      });
      expect(page).toMatchObject({ total: 41, page: 3, limit: 20 });
      expect(page.items[0]).not.toHaveProperty('passwordHash');
    });
  });

  describe('findById', () => {
    it('answers 404 Not Found for an unknown id', async () => {
      stored = null;
      await expect(sut.findById('missing')).rejects.toBeInstanceOf(NotFoundException);
    });
  });

  describe('update', () => {
    it('changes only the given fields, lower-casing the email', async () => {
      const user = await sut.update('id', {
        email: 'New@Example.com',
        currentPassword: 'the current one',
      });
      expect(user).toMatchObject({ email: 'new@example.com', name: 'Ada' });
      expect(hasher.hash).not.toHaveBeenCalled();
    });

    it('re-hashes a new password once the current one is verified against the stored hash', async () => {
      hasher.hash.mockResolvedValue('$argon2id$new');
      await sut.update('id', {
        password: 'brand new password',
        currentPassword: 'the current one',
      });
      expect(hasher.verify).toHaveBeenCalledWith(HASH, 'the current one');
      expect(repository.save).toHaveBeenCalledWith(
        expect.objectContaining({ passwordHash: '$argon2id$new' }),
      );
    });

    it('answers 400 for a new email or password without currentPassword, and saves nothing', async () => {
      for (const dto of [{ email: 'new@example.com' }, { password: 'brand new password' }]) {
        await expect(sut.update('id', dto)).rejects.toBeInstanceOf(BadRequestException);
      }
      expect(repository.save).not.toHaveBeenCalled();
    });

    it('answers 403 for a wrong currentPassword, and saves nothing', async () => {
      await expect(
        sut.update('id', { password: 'brand new password', currentPassword: 'a guess' }),
      ).rejects.toBeInstanceOf(ForbiddenException);
      expect(repository.save).not.toHaveBeenCalled();
    });

    it('answers 403 for a wrong currentPassword given with a name alone, and saves nothing', async () => {
      await expect(
        sut.update('id', { name: 'Countess', currentPassword: 'a guess' }),
      ).rejects.toBeInstanceOf(ForbiddenException);
      expect(repository.save).not.toHaveBeenCalled();
    });

    it('changes the name alone without currentPassword', async () => {
      await expect(sut.update('id', { name: 'Countess' })).resolves.toMatchObject({
        name: 'Countess',
      });
      expect(hasher.verify).not.toHaveBeenCalled();
    });

    it('answers 409 when the new email is taken', async () => {
      repository.save.mockRejectedValue(uniqueViolation());
      await expect(
        sut.update('id', { email: 'taken@example.com', currentPassword: 'the current one' }),
      ).rejects.toBeInstanceOf(ConflictException);
    });

    it('answers 404 for an unknown id without saving', async () => {
      stored = null;
      await expect(sut.update('missing', { name: 'X' })).rejects.toBeInstanceOf(NotFoundException);
      expect(repository.save).not.toHaveBeenCalled();
    });
  });

  describe('setRole', () => {
    it('sets the role of the user with that email, in any case', async () => {
      repository.findOneBy.mockResolvedValue(entity());
      await expect(sut.setRole('ADA@example.com', 'admin')).resolves.toMatchObject({
        role: 'admin',
      });
      expect(repository.findOneBy).toHaveBeenCalledWith({ email: 'ada@example.com' });
    });

    it('answers 404 for an unknown email', async () => {
      repository.findOneBy.mockResolvedValue(null);
      await expect(sut.setRole('nobody@example.com', 'admin')).rejects.toBeInstanceOf(
        NotFoundException,
      );
    });
  });

  describe('remove', () => {
    it("deletes the user and then ends that user's sessions", async () => {
      repository.delete.mockResolvedValue({ affected: 1, raw: [] });
      await sut.remove('id');
      expect(repository.delete).toHaveBeenCalledWith({ id: 'id' });
      expect(sessions.endAllOf).toHaveBeenCalledWith('id');
    });

    it('tells the listeners after the user is gone, and still answers when one of them fails', async () => {
      repository.delete.mockResolvedValue({ affected: 1, raw: [] });
      const told: string[] = [];
      sut.onDeleted((userId) => Promise.resolve(void told.push(userId)));
      sut.onDeleted(() => Promise.reject(new Error('Connection is closed.')));
      await expect(sut.remove('id')).resolves.toBeUndefined();
      expect(told).toEqual(['id']);
    });

    it('answers 404 for an unknown id and ends no sessions', async () => {
      repository.delete.mockResolvedValue({ affected: 0, raw: [] });
      await expect(sut.remove('missing')).rejects.toBeInstanceOf(NotFoundException);
      expect(sessions.endAllOf).not.toHaveBeenCalled();
    });
  });
});
